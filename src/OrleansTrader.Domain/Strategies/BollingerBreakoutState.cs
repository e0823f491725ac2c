using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Strategies;

public sealed record BollingerBreakoutState : StrategyState
{
    public required BollingerBandsState Bands { get; init; }
}
