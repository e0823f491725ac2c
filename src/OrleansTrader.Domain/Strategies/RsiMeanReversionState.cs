using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Strategies;

public sealed record RsiMeanReversionState : StrategyState
{
    public required RelativeStrengthIndexState Rsi { get; init; }
}
