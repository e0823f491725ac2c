using OrleansTrader.Brokers.Paper;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// One account's saved venue state as the store keeps it: a checkpoint plus up to <see cref="Slots"/> deltas written in
/// a ring of records after it. Every write is one record, so each save is atomic; deltas numbered past the checkpoint
/// are replayed on load, older ones in the ring are stale and ignored.
/// </summary>
internal sealed class PaperVenueJournal(GrainId grainId)
{
    /// <summary>
    /// The most deltas between checkpoints. A checkpoint costs the live state plus the changes since the previous one, so
    /// a longer ring makes it rarer; loading reads the slots after the checkpoint in growing runs until the journal ends,
    /// not the whole ring up front.
    /// </summary>
    public const int Slots = 128;

    /// <summary>The storage identity of the account's records.</summary>
    public GrainId GrainId { get; } = grainId;

    /// <summary>The slot whose delta ends each of this account's runs between checkpoints (<see cref="CheckpointSlotOf"/>).</summary>
    public int CheckpointSlot { get; } = CheckpointSlotOf(grainId.Key);

    public GrainState<PaperVenueCheckpoint> Checkpoint { get; } = new(new PaperVenueCheckpoint());

    public GrainState<PaperVenueDelta>[] Deltas { get; } = [.. Enumerable.Range(0, Slots).Select(_ => new GrainState<PaperVenueDelta>(null!))];

    /// <summary>Which slots were read from storage (so their ETags are known); a slot is read before its first write.</summary>
    public bool[] SlotRead { get; } = new bool[Slots];

    /// <summary>Number of the newest delta saved.</summary>
    public long LastNumber { get; set; }

    /// <summary>Number of the newest delta the stored checkpoint includes (set only once that checkpoint is written or read).</summary>
    public long CheckpointThrough { get; set; }

    /// <summary>
    /// Number of the delta after which the next save is a checkpoint: the first after the stored checkpoint that falls in
    /// <see cref="CheckpointSlot"/>, so a whole ring after it at most.
    /// </summary>
    public long CheckpointDueAfter => CheckpointThrough + 1 + ((CheckpointSlot - SlotOf(CheckpointThrough + 1) + Slots) % Slots);

    /// <summary>Archive chunks written (the next chunk's number).</summary>
    public int ArchiveChunks { get; set; }

    /// <summary>The oldest chunk queries read (the ones before it are past the archive's retention).</summary>
    public int FirstArchiveChunk { get; set; }

    /// <summary>Chunk records below this are known deleted; those from it to <see cref="FirstArchiveChunk"/> are deleted next.</summary>
    public int ChunksDeletedBefore { get; set; }

    /// <summary>
    /// The newest order change or execution of chunk <see cref="FirstArchiveChunk"/> once read, so checkpoints do not read
    /// it again until the retention cutoff passes it; null when not known.
    /// </summary>
    public DateTimeOffset? FirstChunkNewest { get; set; }

    /// <summary>
    /// Archive chunks queries read: those the stored checkpoint counts, and those the venue's retention pass wrote (only
    /// orders and executions already saved). A checkpoint's own chunk holds its save's changes, so it counts only once
    /// that checkpoint is written: a crash or failed write before it leaves a chunk with a save the venue did not keep.
    /// </summary>
    public int CommittedChunks { get; set; }

    /// <summary>
    /// What the venue holds that no chunk holds yet, kept current from every save's change: a checkpoint archives and
    /// writes from it, and the venue's own retention pass writes only what is still in it.
    /// </summary>
    public PaperVenueUnarchived Unarchived { get; set; } = PaperVenueUnarchived.Of(new PaperVenueSnapshot());

    /// <summary>An instant after every archived execution and order change; what a checkpoint gives as ArchivedBefore at least.</summary>
    public DateTimeOffset? ArchivedBefore { get; set; }

    public static int SlotOf(long number) => (int)(number % Slots);

    /// <summary>
    /// The slot at which an account checkpoints, from a hash of its id that is the same in every process (not
    /// string.GetHashCode). With a checkpoint every <see cref="Slots"/> deltas for every account, accounts trading in lock
    /// step (one strategy's signal sent to many) all checkpointed, each with its archive chunk, on the same save; now each
    /// account's first run ends at its own slot and every later run is a whole ring. FNV-1a's low bits: each step maps
    /// them one to one, so ids that differ in one character (numbered in sequence) take different slots. A load replays
    /// whatever run follows the checkpoint, up to the ring, so a journal of an earlier build (runs of 128) reads back.
    /// </summary>
    public static int CheckpointSlotOf(string accountId) => (int)((ulong)PaperArchiveChunkKeys.Hash(accountId) % Slots);
}
