using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData.Events;

/// <summary>A completed bar. It becomes known at its end, never at its start (no look-ahead in replays).</summary>
public sealed record BarEvent(Bar Bar, decimal? Vwap = null) : MarketDataEvent
{
    public override string Symbol => Bar.Symbol;

    public override DateTimeOffset AvailableAt => Bar.End;
}
