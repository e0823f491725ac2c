namespace OrleansTrader.Domain.Indicators;

public sealed record BollingerBandsState
{
    public required decimal K { get; init; }

    public required RollingStandardDeviationState Deviation { get; init; }
}
