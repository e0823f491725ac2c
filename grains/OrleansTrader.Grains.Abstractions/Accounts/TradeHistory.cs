using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>An account's or a strategy's closed trades (newest first), the ones still open, and what the closed ones add up to.</summary>
public sealed record TradeHistory
{
    public required string AccountId { get; init; }

    /// <summary>The strategy whose own trades these are; null for the account's.</summary>
    public string? StrategyId { get; init; }

    public required IReadOnlyList<ClosedTrade> Trades { get; init; }

    /// <summary>Round trips in progress, one per symbol with a position, in symbol order.</summary>
    public required IReadOnlyList<OpenTrade> Open { get; init; }

    /// <summary>Over <see cref="Trades"/> as returned.</summary>
    public required TradeStatistics Summary { get; init; }

    /// <summary>
    /// This page ends the list (fewer trades than the limit) and trades numbered below its last (or below the query's
    /// <c>Before</c>) are no longer kept: the list is not all the trades that match.
    /// </summary>
    public bool Truncated { get; init; }
}

/// <summary>
/// A closed trade (round trip): from the fill that took the position away from zero to the one that brought it back or
/// flipped it. Prices are averages over the trade's fills; the P&amp;L is the position's own, fees apart.
/// </summary>
public sealed record ClosedTrade
{
    /// <summary>1 for the account's first closed trade, then in the order they closed.</summary>
    public required long Number { get; init; }

    public required string Symbol { get; init; }

    public required bool IsLong { get; init; }

    public required decimal Quantity { get; init; }

    /// <summary>Null for a position the account held before it kept trades.</summary>
    public DateTimeOffset? EntryTime { get; init; }

    public required decimal EntryPrice { get; init; }

    public required DateTimeOffset ExitTime { get; init; }

    public required decimal ExitPrice { get; init; }

    /// <summary>Before fees.</summary>
    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public decimal NetPnl => RealizedPnl - Fees;

    /// <summary>The execution that closed it.</summary>
    public required string ExitExecutionId { get; init; }
}

/// <summary>A round trip still open: what is held, at what average entry, and what its partial exits realized so far.</summary>
public sealed record OpenTrade
{
    public required string Symbol { get; init; }

    public required bool IsLong { get; init; }

    public required decimal Quantity { get; init; }

    public DateTimeOffset? EntryTime { get; init; }

    public required decimal EntryPrice { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }
}

/// <summary>Which closed trades to return: by exit date (the trading date, as the days': UTC, or New York's on the NYSE calendar; both ends included), symbol, and before a trade number.</summary>
public sealed record TradeQuery
{
    public DateOnly? From { get; init; }

    public DateOnly? To { get; init; }

    public string? Symbol { get; init; }

    /// <summary>Only trades numbered below this (the next page of a newest-first listing).</summary>
    public long? Before { get; init; }

    public int Limit { get; init; } = 100;
}
