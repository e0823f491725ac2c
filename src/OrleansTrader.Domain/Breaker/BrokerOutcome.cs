namespace OrleansTrader.Domain.Breaker;

/// <summary>
/// <see cref="Count"/> broker calls that failed or were rejected (<see cref="IsError"/>) or succeeded: one call at
/// <see cref="At"/>, or, once merged by <see cref="BrokerOutcomeWindow"/>, the calls of the second starting there.
/// Records stored before counts existed read as one call each.
/// </summary>
public sealed record BrokerOutcome(DateTimeOffset At, bool IsError, int Count = 1);
