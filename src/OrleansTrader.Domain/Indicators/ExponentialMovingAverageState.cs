namespace OrleansTrader.Domain.Indicators;

/// <summary>Snapshot of an <see cref="ExponentialMovingAverage"/>: the seed sum during warm-up, the value after.</summary>
public sealed record ExponentialMovingAverageState
{
    public required int Period { get; init; }

    public required int Samples { get; init; }

    public required decimal SeedSum { get; init; }

    public decimal? Value { get; init; }
}
