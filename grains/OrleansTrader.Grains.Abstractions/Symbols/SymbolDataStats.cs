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

    /// <summary>Corrections applied to a print the grain keeps (last trade, open bars).</summary>
    public long TradesCorrected { get; init; }

    /// <summary>Cancels (and errors) applied to a print the grain keeps.</summary>
    public long TradesCancelled { get; init; }

    /// <summary>
    /// Corrections and cancels of a print whose 1 s or 1 min bar was already published: the bar is not retracted (the last
    /// trade is still amended). A correction or cancel of a print the grain does not keep counts as "UnknownTradeId" in
    /// <see cref="RejectedByReason"/>.
    /// </summary>
    public long AmendmentsOfPublishedBars { get; init; }

    /// <summary>
    /// Trades stamped more than the symbols' StaleAfter ahead of the clock and of the newest trade in the bars (a feed's
    /// clock or time zone wrong): taken as ticks, left out of the 1 s and 1 min bars.
    /// </summary>
    public long TradesAheadOfClock { get; init; }
}
