namespace OrleansTrader.Grains.Abstractions;

/// <summary>Counts of a symbol's ticks: accepted, and rejected by reason (the MarketData RejectionReason names).</summary>
public sealed record SymbolDataStats
{
    public required string Symbol { get; init; }

    public required long AcceptedTrades { get; init; }

    public required long AcceptedQuotes { get; init; }

    public required IReadOnlyDictionary<string, long> RejectedByReason { get; init; }

    /// <summary>One-minute bars published on "bars".</summary>
    public required long BarsPublished { get; init; }

    /// <summary>One-second bars published on "bars-1s".</summary>
    public required long SecondBarsPublished { get; init; }
}
