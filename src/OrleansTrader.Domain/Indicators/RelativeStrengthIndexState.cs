namespace OrleansTrader.Domain.Indicators;

public sealed record RelativeStrengthIndexState
{
    public required int Period { get; init; }

    public required int Samples { get; init; }

    public decimal? PreviousValue { get; init; }

    /// <summary>Sum of gains during warm-up, Wilder-smoothed average gain after.</summary>
    public required decimal Gain { get; init; }

    /// <summary>Sum of losses during warm-up, Wilder-smoothed average loss after.</summary>
    public required decimal Loss { get; init; }

    /// <summary>
    /// The power of ten <see cref="Gain"/> and <see cref="Loss"/> are multiplied by (a multiple of 10): 0 except during a long run
    /// of unchanged values, where it keeps the decaying averages' digits.
    /// </summary>
    public int Scale { get; init; }
}
