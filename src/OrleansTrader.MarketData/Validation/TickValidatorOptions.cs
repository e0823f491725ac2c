namespace OrleansTrader.MarketData.Validation;

public sealed class TickValidatorOptions
{
    public const string SectionName = "MarketData:Validation";

    /// <summary>The default of <see cref="MaxPrice"/>, also the ceiling of bars read from files without the option.</summary>
    public const decimal DefaultMaxPrice = 10_000_000m;

    /// <summary>
    /// Maximum distance, in percent, from the last accepted price of the same kind (trade price, quote mid,
    /// bar close) for the same symbol. 0 disables the band.
    /// </summary>
    public decimal PriceBandPercent { get; set; } = 10m;

    /// <summary>The band applies only after this many accepted prices of a kind for a symbol.</summary>
    public int BandWarmupCount { get; set; } = 5;

    /// <summary>
    /// After this many consecutive out-of-band prices the validator accepts the level as real (a gap after a
    /// halt, or a bad reference print during warm-up) and re-anchors; the earlier rejections stay counted.
    /// </summary>
    public int ReanchorAfterConsecutiveRejections { get; set; } = 5;

    /// <summary>One-sided quotes carry no usable mid; they are rejected for quote purposes and counted.</summary>
    public bool RejectOneSidedQuotes { get; set; } = true;

    public bool RejectSuspiciousPrints { get; set; } = true;

    /// <summary>Recent tick keys remembered per symbol for duplicate detection (bounded memory).</summary>
    public int DuplicateWindowSize { get; set; } = 1024;

    /// <summary>Symbols tracked by one validator; ticks for further symbols are rejected, not tracked.</summary>
    public int MaxSymbols { get; set; } = 10_000;

    /// <summary>
    /// Highest plausible price (trade price, quote bid and ask, bar open/high/low/close), checked before the band: during
    /// the band's warm-up (or after its re-anchor) an absurd first print would otherwise become the last trade and the
    /// mark. The highest-priced US equity trades below $1,000,000 a share.
    /// </summary>
    public decimal MaxPrice { get; set; } = DefaultMaxPrice;

    /// <summary>
    /// Largest plausible trade size or quote size, in shares: far above any real print, yet low enough that bar volumes
    /// summed from trades and price times size stay far inside a decimal, and that a quote's displayed size still limits
    /// the paper exchange's fills.
    /// </summary>
    public decimal MaxSize { get; set; } = 1_000_000_000m;
}
