namespace OrleansTrader.Domain.Breaker;

/// <summary>One broker call and whether it failed or was rejected.</summary>
public sealed record BrokerOutcome(DateTimeOffset At, bool IsError);
