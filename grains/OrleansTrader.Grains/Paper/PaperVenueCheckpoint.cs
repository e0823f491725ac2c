using OrleansTrader.Brokers.Paper;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// The live venue state of one account that includes every <see cref="PaperVenueDelta"/> up to <see cref="Through"/>:
/// working orders, final orders still in an unfinished group, groups, positions and counters. Other final orders and
/// the executions are in the archive chunks, the first <see cref="ArchiveChunks"/> of which are written. A checkpoint
/// written before the archive chunks holds final orders and executions too; it loads as it is.
/// </summary>
internal sealed record PaperVenueCheckpoint
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public PaperVenueSnapshot Snapshot { get; init => field = value ?? new(); } = new();

    public long Through { get; init; }

    public int ArchiveChunks { get; init; }
}
