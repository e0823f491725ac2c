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

    internal void Validate()
    {
        if (MaxDeviationPercent is { } percent && percent <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeviationPercent), percent, $"MaxDeviationPercent must be > 0 when set; got {percent}.");
        }
    }
}
