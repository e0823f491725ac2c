using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A venue's correction or cancel of an earlier print, found by that print's trade id (Alpaca's "c" and "x" messages).
/// </summary>
public sealed record TradeAmendment
{
    public required string Symbol { get; init; }

    /// <summary>The source id of the print corrected or cancelled.</summary>
    public required long TradeId { get; init; }

    /// <summary>The exchange of the print corrected or cancelled, when the feed names it: trade ids are the exchange's, so
    /// two exchanges' prints may share one.</summary>
    public string? Exchange { get; init; }

    /// <summary>The print that replaces it (a correction, its own trade id as source id), or null: cancelled (or errored).</summary>
    public TradeTick? Corrected { get; init; }

    /// <summary>
    /// How many of the batch's <see cref="TickBatch.Trades"/> the feed delivered before it: it applies after those and
    /// before the next, so a cancel that follows its print in the same batch finds it, and the bars the later trades
    /// complete are built without it.
    /// </summary>
    public required int TradesBefore { get; init; }
}
