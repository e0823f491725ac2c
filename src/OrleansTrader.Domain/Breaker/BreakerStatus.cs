namespace OrleansTrader.Domain.Breaker;

/// <summary>The breaker's current state and what put it there.</summary>
public sealed record BreakerStatus(TradingState State, DateTimeOffset? Since = null, BreakerTrigger? LastTrigger = null)
{
    public static BreakerStatus Active { get; } = new(TradingState.Active);
}
