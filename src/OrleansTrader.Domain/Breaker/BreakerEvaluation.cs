namespace OrleansTrader.Domain.Breaker;

/// <summary>The breaker after an evaluation: its status, the transitions made (zero or one), and every condition that holds.</summary>
public sealed record BreakerEvaluation(
    BreakerStatus Status,
    IReadOnlyList<BreakerTransition> Transitions,
    IReadOnlyList<BreakerCondition> Conditions);
