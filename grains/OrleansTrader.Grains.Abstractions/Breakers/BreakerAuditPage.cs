namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A page of a breaker's audit after a version, with where the kept transitions begin. Versions run 1, 2, 3, ... one per
/// transition, and the audit keeps the latest 1,000: a reader whose version is before <see cref="OldestVersion"/> less one
/// missed some, which <see cref="Truncated"/> says, since the page alone reads like one that missed nothing. So does one
/// whose version is past <see cref="LastVersion"/>: the breaker's storage was reset or restored.
/// </summary>
public sealed record BreakerAuditPage
{
    public required IReadOnlyList<BreakerAuditEntry> Entries { get; init; }

    /// <summary>The version of the oldest transition kept; the next one's when none is kept.</summary>
    public required long OldestVersion { get; init; }

    /// <summary>The newest transition's version (0 before the first).</summary>
    public required long LastVersion { get; init; }

    public required bool Truncated { get; init; }
}
