using System.Collections.Immutable;

namespace OrleansTrader.Domain.Breaker;

/// <summary>The immutable audit record of one state change; persisted before the change is acknowledged.</summary>
public sealed record BreakerTransition
{
    public required TradingState From { get; init; }

    public required TradingState To { get; init; }

    public required BreakerTrigger Trigger { get; init; }

    public required string Actor { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>The measured values and thresholds behind the transition (for a forced reset: the conditions overridden).</summary>
    public ImmutableSortedDictionary<string, decimal> Values { get; init => field = value ?? ImmutableSortedDictionary<string, decimal>.Empty; } = ImmutableSortedDictionary<string, decimal>.Empty;

    /// <summary>True for a reset that overrode a condition that still held.</summary>
    public bool Forced { get; init; }
}
