namespace OrleansTrader.Grains.Symbols;

/// <summary>Symbol grain tuning (section "Trading:Symbols").</summary>
public sealed class SymbolGrainOptions
{
    public const string SectionName = "Trading:Symbols";

    /// <summary>A symbol with no accepted tick for this long is flagged stale.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its interval's end (on the clock) a live bar without a later trade is closed and published; prints
    /// of the interval that arrive later are late and left out.
    /// </summary>
    public TimeSpan BarCloseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Completed one-second bars kept for queries.</summary>
    public int SecondBarsKept { get; set; } = 3600;

    /// <summary>Completed one-minute bars kept for queries.</summary>
    public int MinuteBarsKept { get; set; } = 1440;

    /// <summary>
    /// How often the last trade and quote are written to grain storage when they changed (also on deactivation), so a
    /// symbol collected or restarted while the feed is silent (a weekend) still has its last session's prices.
    /// </summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Forward validated ticks to the in-process paper exchange (it matches resting orders against them).</summary>
    public bool ForwardToPaperExchange { get; set; } = true;
}
