namespace OrleansTrader.Domain.Breaker;

/// <summary>The breaker's current state and what put it there.</summary>
public sealed record BreakerStatus(TradingState State, DateTimeOffset? Since = null, BreakerTrigger? LastTrigger = null)
{
    public static BreakerStatus Active { get; } = new(TradingState.Active);

    /// <summary>
    /// Triggers whose condition a forced reset overrode: evaluation does not trip on them again until their condition has
    /// cleared (then they are armed again). Otherwise the next evaluation, a second later, undid the forced reset.
    /// A record stored before overrides were kept has none: the source-generated reader sets a missing init-only member to
    /// null (it passes every member through the constructor call), which every evaluation then failed on.
    /// </summary>
    public IReadOnlyList<BreakerTrigger> Overridden { get; init => field = value ?? []; } = [];
}
