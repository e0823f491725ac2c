namespace OrleansTrader.Domain.Indicators;

/// <summary>Snapshot of a <see cref="RollingStandardDeviation"/>: the window oldest first.</summary>
public sealed record RollingStandardDeviationState
{
    public required int Period { get; init; }

    public required int Samples { get; init; }

    public required IReadOnlyList<decimal> Window { get; init; }

    /// <summary>The shift K the sums are taken around; restoring it keeps the value identical to the last digit.</summary>
    public required decimal Shift { get; init; }
}
