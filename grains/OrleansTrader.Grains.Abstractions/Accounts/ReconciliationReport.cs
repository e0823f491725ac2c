namespace OrleansTrader.Grains.Abstractions;

/// <summary>What one reconciliation with the broker found and did.</summary>
public sealed record ReconciliationReport
{
    public required DateTimeOffset At { get; init; }

    public int BackfilledFills { get; init; }

    public int ResolvedOrders { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<string> Mismatches { get; init => field = value ?? []; } = [];

    /// <summary>True when a mismatch could not be explained and the account's breaker was tripped to REDUCING.</summary>
    public bool TrippedBreaker { get; init; }
}
