using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Strategies;

public sealed record SmaCrossoverState : StrategyState
{
    public required SimpleMovingAverageState Fast { get; init; }

    public required SimpleMovingAverageState Slow { get; init; }

    /// <summary>Sign of fast - slow at the last bar where both were ready; null before that.</summary>
    public int? PreviousRelation { get; init; }

    /// <summary>The position the last cross asked for; null before the first cross or after a rejected order.</summary>
    public decimal? Target { get; init; }

    public string? TargetReason { get; init; }
}
