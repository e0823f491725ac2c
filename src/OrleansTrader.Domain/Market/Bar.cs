namespace OrleansTrader.Domain.Market;

/// <summary>An OHLCV bar covering [Start, Start + Interval).</summary>
public sealed record Bar(
    string Symbol,
    DateTimeOffset Start,
    TimeSpan Interval,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    int TradeCount = 0)
{
    public DateTimeOffset End => Start + Interval;
}
