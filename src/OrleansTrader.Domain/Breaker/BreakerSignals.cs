namespace OrleansTrader.Domain.Breaker;

/// <summary>
/// What the breaker watches. A null signal is not measured and is not judged: the account passes what it has
/// (equity is null until every position has a mark; market data time is null until the first tick).
/// </summary>
public sealed record BreakerSignals
{
    public decimal? DayPnl { get; init; }

    public decimal? Equity { get; init; }

    public decimal? HighWaterMark { get; init; }

    public IReadOnlyList<BrokerOutcome> BrokerOutcomes { get; init; } = [];

    public DateTimeOffset? LastMarketDataAt { get; init; }
}
