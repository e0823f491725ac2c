namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A page of an account's fills after a sequence, with where the kept fills begin. Fill sequences run 1, 2, 3, ... without
/// gaps; fills older than the account's history are gone, so a reader whose sequence is before
/// <see cref="OldestSequence"/> less one (or past <see cref="LastSequence"/>: the account's storage was reset) missed some:
/// <see cref="Truncated"/> says so, and the page alone would read like one that missed nothing.
/// </summary>
public sealed record AccountFillPage
{
    public required IReadOnlyList<AccountFill> Fills { get; init; }

    /// <summary>The sequence of the oldest fill kept; the next fill's when none is kept.</summary>
    public required long OldestSequence { get; init; }

    /// <summary>The newest fill's sequence (0 before the first).</summary>
    public required long LastSequence { get; init; }

    public required bool Truncated { get; init; }
}

/// <summary>A page of an account's journal after a sequence, with where the kept entries begin (as <see cref="AccountFillPage"/>).</summary>
public sealed record JournalPage
{
    public required IReadOnlyList<JournalEntry> Entries { get; init; }

    /// <summary>The sequence of the oldest journal entry kept; the next entry's when none is kept.</summary>
    public required long OldestSequence { get; init; }

    /// <summary>The newest entry's sequence (0 before the first).</summary>
    public required long LastSequence { get; init; }

    public required bool Truncated { get; init; }
}

/// <summary>
/// A page of an account's orders, newest first, saying whether closed orders older than the history the account keeps are
/// missing from the list: only the page that ends it (fewer orders than asked for) can say so, since the list holds no
/// sequence a reader could find the gap by.
/// </summary>
public sealed record AccountOrderPage
{
    public required IReadOnlyList<AccountOrder> Orders { get; init; }

    public required bool Truncated { get; init; }
}
