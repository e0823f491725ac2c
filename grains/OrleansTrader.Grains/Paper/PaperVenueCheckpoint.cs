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

    /// <summary>
    /// The oldest archive chunk queries read: those before it are past <c>PaperExchange:FinalOrderRetention</c>. Written
    /// before their records are deleted, so it never names a deleted chunk; missing in older layouts, so 0.
    /// </summary>
    public int FirstArchiveChunk { get; init; }

    /// <summary>
    /// Every chunk record numbered below this is deleted; those from it up to <see cref="FirstArchiveChunk"/> may still be
    /// stored (a crash between this checkpoint and their deletion) and are deleted after the next checkpoint.
    /// </summary>
    public int ChunksDeletedBefore { get; init; }
}
