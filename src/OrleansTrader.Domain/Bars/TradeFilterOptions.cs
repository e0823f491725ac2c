namespace OrleansTrader.Domain.Bars;

/// <summary>Which prints an aggregator excludes besides non-positive price or size, which it always excludes.</summary>
public sealed record TradeFilterOptions
{
    public static TradeFilterOptions Default { get; } = new();

    /// <summary>Exclude prints the source flagged as suspicious. On by default.</summary>
    public bool ExcludeSourceFlagged { get; init; } = true;

    /// <summary>
    /// Exclude prints whose price deviates from the reference (the current bar's close, else the last emitted bar's
    /// close) by more than this many percent, e.g. 5 for 5 %. Null disables the check. The first print has no
    /// reference and is not checked.
    /// </summary>
    public decimal? MaxDeviationPercent { get; init; }

    /// <summary>
    /// How many consecutive deviating prints, within <see cref="MaxDeviationPercent"/> of the first of them, show that
    /// the market itself moved: the last of them is accepted (and so becomes the reference) instead of excluded.
    /// At least 2; 3 by default.
    /// </summary>
    public int DeviationConfirmations { get; init; } = 3;

    internal void Validate()
    {
        if (MaxDeviationPercent is { } percent && percent <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeviationPercent), percent, $"MaxDeviationPercent must be > 0 when set; got {percent}.");
        }

        if (DeviationConfirmations < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(DeviationConfirmations), DeviationConfirmations, $"DeviationConfirmations must be >= 2; got {DeviationConfirmations}.");
        }
    }
}
