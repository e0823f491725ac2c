namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A page of account events. History is bounded (see docs/grains.md): when the requested sequence is older than
/// <see cref="OldestSequence"/>, <see cref="Truncated"/> is true and the client should reload state instead of assuming
/// nothing happened in between.
/// </summary>
public sealed record AccountEventPage
{
    public required IReadOnlyList<AccountEvent> Events { get; init; }

    /// <summary>The oldest sequence still kept (0 when none).</summary>
    public required long OldestSequence { get; init; }

    public required long LastSequence { get; init; }

    public required bool Truncated { get; init; }
}
