namespace OrleansTrader.Domain.Indicators;

/// <summary>Snapshot of a <see cref="SimpleMovingAverage"/>: the window oldest first, so a restore replays it exactly.</summary>
public sealed record SimpleMovingAverageState
{
    public required int Period { get; init; }

    public required int Samples { get; init; }

    public required IReadOnlyList<decimal> Window { get; init; }
}
