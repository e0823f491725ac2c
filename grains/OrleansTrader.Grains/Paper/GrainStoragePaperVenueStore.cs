using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// The paper venue's durable store: checkpoints, deltas, the account index and the archive live in the silo's grain
/// storage (SQLite by default, PostgreSQL in production), so the paper exchange survives silo restarts. Writes per
/// account are serialized by the venue; the ETag of each record is kept here so every write is conditional. A save
/// writes the change the venue hands over (a <see cref="PaperVenueDelta"/>) and a checkpoint at the account's own
/// <see cref="PaperVenueJournal.CheckpointSlot"/> or when the venue cannot describe the change. A checkpoint holds only
/// live state: the final orders and executions since the previous one go first into one archive chunk, written once,
/// so neither record grows with the orders in the retention window. After a restart the venue finds them in the
/// archive (the checkpoint's ArchivedBefore says so). What no chunk holds yet is followed from each save's change
/// (<see cref="PaperVenueUnarchived"/>), so a checkpoint costs the live state and the changes since the previous one;
/// the whole snapshot is built only when the venue cannot describe its change.
/// Whole chunks past <see cref="PaperExchangeOptions.FinalOrderRetention"/> are deleted from the archive's front at a
/// checkpoint (see <see cref="ExpiredChunksAsync"/>): the checkpoint naming the new first chunk is written before their
/// records are deleted, so a crash between leaves records no query reads, deleted after a later checkpoint.
/// Each chunk has a key record (<see cref="PaperArchiveChunkKeys"/>) written just after it and deleted with it: the
/// archive index an account's first archive query builds after a restart reads those, not the chunks, and so does the
/// retention, which learns from them when each chunk expires and the ETag its delete needs.
/// </summary>
internal sealed class GrainStoragePaperVenueStore : IPaperVenueStore
{
    /// <summary>
    /// The least time after the store starts before it deletes any chunk: a silo down longer than the retention restarts
    /// with every chunk past it, and its accounts' first reconciliations (at activation, then every
    /// <c>Trading:Accounts:ReconcileInterval</c>) back-fill from the archive first.
    /// </summary>
    public static readonly TimeSpan MinPruneDelay = TimeSpan.FromMinutes(10);

    /// <summary>The wait before the first deletion: <see cref="MinPruneDelay"/>, or two reconciliations if they are rarer.</summary>
    public static TimeSpan PruneDelayFor(TimeSpan reconcileInterval) =>
        reconcileInterval * 2 > MinPruneDelay ? reconcileInterval * 2 : MinPruneDelay;

    private const string SnapshotType = "paper-venue";
    private const string ArchiveType = "paper-venue-archive";
    private const string IndexType = "paper-venue-index";
    private const string StateName = "venue";
    private const string LegacyStateName = "venue";
    private const string LegacyArchiveStateName = "venue";
    private const string CheckpointStateName = "venue-checkpoint";
    private const string DeltaStatePrefix = "venue-delta-";
    private const string ChunkStatePrefix = "chunk-";
    private const string KeysStatePrefix = "keys-";

    /// <summary>The key record of the legacy one-record archive (chunk -1), written at the first index build that reads it.</summary>
    private const string LegacyKeysStateName = "venue-keys";

    /// <summary>
    /// The most archive chunks one read asks for while the archive index is built: a chunk holds the orders and
    /// executions of a checkpoint's interval, so this bounds what is held decoded before it is indexed.
    /// </summary>
    private const int ChunksPerIndexRead = 16;

    /// <summary>
    /// The most chunk key records one read asks for while the archive index is built (a SQL provider's one query): about
    /// 3 KB of JSON each for a checkpoint's 128 orders, where the chunk is about 70 KB.
    /// </summary>
    private const int KeyRecordsPerIndexRead = 256;

    /// <summary>
    /// The delta slots the first read of a load asks for; each further read asks for twice as many. Most loads find
    /// fewer deltas than a whole ring, so the ring is not read (and decoded) whole up front.
    /// </summary>
    private const int FirstDeltaRun = 16;

    private static readonly GrainId IndexId = GrainId.Create(IndexType, "accounts");

    // Named once: a delta is written on every venue save.
    private static readonly string[] DeltaStateNames =
        [.. Enumerable.Range(0, PaperVenueJournal.Slots).Select(slot => DeltaStatePrefix + slot.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly ConcurrentDictionary<string, PaperVenueJournal> _journals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PaperChunkedArchive> _archives = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexGate = new(1, 1);

    /// <summary>
    /// Per account, orders an archive index being built with the chunks committed and pruned meanwhile. One gate for the
    /// whole store made every account's chunk commit (a save, under its symbol's gate) wait for another account's build,
    /// which reads the key record of every chunk that account's retention keeps (about 0.1 s for 100,000 archived orders;
    /// about 3 s when it read the chunks, as it still does once for chunks of an earlier build).
    /// </summary>
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _archiveGates = new(StringComparer.Ordinal);
    private readonly IGrainStorage _storage;
    private readonly TimeProvider _time;
    private readonly TimeSpan _finalOrderRetention;
    private readonly TimeSpan _pruneDelay;
    private readonly long _startedStamp;
    private readonly ILogger _logger;
    private GrainState<PaperVenueIndex>? _index;

    /// <summary>
    /// A store over <paramref name="storage"/> that deletes archive chunks past <paramref name="finalOrderRetention"/> on
    /// <paramref name="timeProvider"/>'s clock, none before <paramref name="pruneDelay"/> has passed since it was made.
    /// </summary>
    public GrainStoragePaperVenueStore(IGrainStorage storage, TimeProvider timeProvider, TimeSpan finalOrderRetention, TimeSpan pruneDelay, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _storage = storage;
        _time = timeProvider;
        _finalOrderRetention = finalOrderRetention;
        _pruneDelay = pruneDelay;
        _startedStamp = timeProvider.GetTimestamp();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A store that keeps every archive chunk (tests of the stored layout).</summary>
    public GrainStoragePaperVenueStore(IGrainStorage storage)
        : this(storage, TimeProvider.System, TimeSpan.MaxValue, TimeSpan.Zero)
    {
    }

    public async Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        var index = await LoadIndexAsync(cancellationToken);
        return [.. index.State.Accounts];
    }

    public async Task<PaperVenueSnapshot?> LoadAsync(string accountId, CancellationToken cancellationToken)
    {
        var grainId = GrainId.Create(SnapshotType, accountId);
        var journal = new PaperVenueJournal(grainId);
        await _storage.ReadStateAsync(CheckpointStateName, grainId, journal.Checkpoint, cancellationToken);
        PaperVenueSnapshot? loaded = null;
        if (journal.Checkpoint.RecordExists)
        {
            loaded = journal.Checkpoint.State.Snapshot;
            var through = journal.Checkpoint.State.Through;
            var number = through;

            // Deltas are written in sequence: the first slot that does not hold the next number ends the journal. The
            // slots that can follow the checkpoint are read in runs, each twice the previous (a round trip per run on a
            // SQL provider, not per slot): a journal just checkpointed costs one short run, a whole ring four.
            var run = FirstDeltaRun;
            var ended = false;
            for (var start = through + 1; !ended && start - through <= PaperVenueJournal.Slots; start += run, run *= 2)
            {
                var count = (int)Math.Min(run, PaperVenueJournal.Slots - (start - through - 1));
                var records = await _storage.ReadRecordsAsync<PaperVenueDelta>(
                    [.. Enumerable.Range(0, count).Select(i => DeltaStateName(PaperVenueJournal.SlotOf(start + i)))], grainId, cancellationToken);
                for (var i = 0; i < count; i++)
                {
                    var record = records[i];
                    ended = ended || !record.RecordExists || record.State.Number != number + 1;
                    if (!ended)
                    {
                        loaded = record.State.ToChange().ApplyTo(loaded);
                        number++;
                    }

                    // Every slot read, before the journal's end or after it, keeps its ETag for its next write (a
                    // conditional write, not a read first) but not its delta.
                    var slot = PaperVenueJournal.SlotOf(start + i);
                    record.State = null!;
                    journal.Deltas[slot] = record;
                    journal.SlotRead[slot] = true;
                }
            }

            // A delta carries the venue's ArchivedBefore, which does not know what the checkpoint moved to the archive.
            loaded = loaded with { ArchivedBefore = Later(loaded.ArchivedBefore, journal.Checkpoint.State.Snapshot.ArchivedBefore) };
            journal.LastNumber = number;
            journal.CheckpointThrough = journal.Checkpoint.State.Through;
            journal.ArchiveChunks = journal.Checkpoint.State.ArchiveChunks;
            journal.CommittedChunks = journal.ArchiveChunks;
            journal.FirstArchiveChunk = journal.Checkpoint.State.FirstArchiveChunk;
            journal.ChunksDeletedBefore = journal.Checkpoint.State.ChunksDeletedBefore;
            journal.ArchivedBefore = journal.Checkpoint.State.Snapshot.ArchivedBefore;
            journal.Unarchived = PaperVenueUnarchived.Of(loaded);
        }
        else
        {
            // No checkpoint, so no delta either (a venue's first save writes its checkpoint before any delta): every slot is
            // known to be empty, and the first 128 saves of a new account need not read their slot for its ETag.
            Array.Fill(journal.SlotRead, true);

            // A venue saved before deltas existed kept one whole snapshot; the first save from here writes a checkpoint.
            var legacy = new GrainState<PaperVenueSnapshot>(new PaperVenueSnapshot());
            await _storage.ReadStateAsync(LegacyStateName, grainId, legacy, cancellationToken);
            loaded = legacy.RecordExists ? legacy.State : null;
            if (loaded is not null)
            {
                journal.Unarchived = PaperVenueUnarchived.Of(loaded);
            }
        }

        _journals[accountId] = journal;
        return loaded;
    }

    public async Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var journal = await JournalAsync(accountId, cancellationToken);
        var grainId = journal.GrainId;
        var isNew = !journal.Checkpoint.RecordExists;

        // Listed before its first checkpoint: a checkpoint written for an account the index then failed to list would hold
        // a save the venue dropped (the save failed), and a restart would not restore the account.
        if (isNew)
        {
            await AddToIndexAsync(accountId, cancellationToken);
        }

        // Dropped executions are counted against the whole list, which a checkpoint does not keep: checkpoint them. Only
        // then, or when the change is unknown, is the whole state built and walked; a checkpoint at the end of the ring
        // takes what the changes since the previous one left unarchived.
        if (change is null || change.DroppedExecutions > 0 || isNew)
        {
            await WriteCheckpointAsync(accountId, journal, journal.Unarchived.Rebase(snapshot()), cancellationToken);
        }
        else if (journal.LastNumber >= journal.CheckpointDueAfter)
        {
            var next = journal.Unarchived.Copy();
            next.Apply(change);
            await WriteCheckpointAsync(accountId, journal, next, cancellationToken);
        }
        else
        {
            var number = journal.LastNumber + 1;
            var slot = PaperVenueJournal.SlotOf(number);
            await ReadSlotAsync(journal, grainId, slot, cancellationToken);
            var record = journal.Deltas[slot];
            record.State = PaperVenueDelta.From(number, change);
            try
            {
                await _storage.WriteStateAsync(DeltaStateName(slot), grainId, record, cancellationToken);
            }
            catch (InconsistentStateException)
            {
                // The slot is not what this store last saw of it: the save fails, and the slot's next save reads it first.
                journal.SlotRead[slot] = false;
                throw;
            }
            finally
            {
                // Only the slot's ETag is needed from here on; holding its delta would keep a ring of them per account.
                record.State = null!;
            }

            journal.LastNumber = number;
            journal.Unarchived.Apply(change);
        }
    }

    public async Task ArchiveAsync(string accountId, PaperVenueArchive archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var journal = await JournalAsync(accountId, cancellationToken);

        // What a checkpoint already put into a chunk is not written again; what is written leaves what the store follows.
        var (orders, executions) = journal.Unarchived.NotYetArchived(archive);
        if (orders.Count > 0 || executions.Count > 0)
        {
            // Only orders and executions the venue saved already: the chunk counts at once.
            var (number, keys) = await AppendChunkAsync(accountId, journal, orders, executions, cancellationToken);
            await CommitChunksAsync(accountId, journal, number, keys, cancellationToken);
            journal.Unarchived.Forget(orders, executions);
        }
    }

    public async Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        await (await ArchiveIndexAsync(accountId, cancellationToken)).FindOrderAsync(orderId, cancellationToken);

    public async Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken) =>
        await (await ArchiveIndexAsync(accountId, cancellationToken)).FindByClientOrderIdAsync(clientOrderId, cancellationToken);

    public async Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
        await (await ArchiveIndexAsync(accountId, cancellationToken)).ExecutionsSinceAsync(since, cancellationToken);

    private async Task<PaperVenueJournal> JournalAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!_journals.TryGetValue(accountId, out var journal))
        {
            await LoadAsync(accountId, cancellationToken);
            journal = _journals[accountId];
        }

        return journal;
    }

    /// <summary>
    /// Writes <paramref name="next"/> (the venue's state after this save, less what a chunk holds) as the checkpoint,
    /// after a chunk with its final orders (whole groups only, once every member is final) and its executions. It costs
    /// the live state plus the changes since the previous checkpoint, not the orders kept for the retention window.
    /// </summary>
    private async Task WriteCheckpointAsync(string accountId, PaperVenueJournal journal, PaperVenueUnarchived next, CancellationToken cancellationToken)
    {
        var chunks = journal.ArchiveChunks;
        var archivedBefore = journal.ArchivedBefore;
        var (history, executions) = next.TakeHistory();
        (int Number, PaperArchiveChunkKeys Keys)? written = null;
        List<(int Number, PaperArchiveChunkKeys? Keys)> expired;
        try
        {
            if (history.Count > 0 || executions.Count > 0)
            {
                written = await AppendChunkAsync(accountId, journal, history, executions, cancellationToken);
            }

            expired = await ExpiredChunksAsync(accountId, journal, cancellationToken);
            journal.Checkpoint.State = new PaperVenueCheckpoint
            {
                Snapshot = next.ToLiveSnapshot(Later(next.ArchivedBefore, journal.ArchivedBefore)),
                Through = journal.LastNumber,
                ArchiveChunks = journal.ArchiveChunks,
                FirstArchiveChunk = journal.FirstArchiveChunk + expired.Count,
                ChunksDeletedBefore = journal.ChunksDeletedBefore,
            };
            await _storage.WriteStateAsync(CheckpointStateName, journal.GrainId, journal.Checkpoint, cancellationToken);
        }
        catch
        {
            // The venue keeps its previous state, so the store keeps following it; the chunk may hold this save's
            // changes and no checkpoint counts it, so the next chunk is written over it. The first chunk stays where
            // the stored checkpoint has it, and is read again before it is deleted.
            journal.ArchiveChunks = chunks;
            journal.ArchivedBefore = archivedBefore;
            journal.FirstChunkNewest = null;
            throw;
        }

        journal.CheckpointThrough = journal.LastNumber;
        journal.Unarchived = next;

        // The chunk holds this save's changes: queries see it only now that the checkpoint counting it is written.
        // Not canceled any more: the save is done.
        if (written is { } chunk)
        {
            await CommitChunksAsync(accountId, journal, chunk.Number, chunk.Keys, CancellationToken.None);
        }

        if (expired.Count > 0 || journal.ChunksDeletedBefore < journal.FirstArchiveChunk)
        {
            await PruneAsync(accountId, journal, expired);
        }
    }

    /// <summary>
    /// The chunks at the archive's front whose newest order change and execution are older than now less the retention:
    /// from the first live one, up to <see cref="ChunksPerIndexRead"/> (one read) a checkpoint, stopping at the first
    /// younger one (whose newest instant is kept, so checkpoints do not read it again until the cutoff passes it). Only
    /// chunks a checkpoint already counted, and none in the store's first <c>pruneDelay</c>. Each is judged by its key
    /// record, which gives its newest instant and the ETag its delete needs; a chunk whose key record does not (one an
    /// earlier build wrote) is read itself. Each comes with its key record, or none when the chunk has no record.
    /// </summary>
    private async Task<List<(int Number, PaperArchiveChunkKeys? Keys)>> ExpiredChunksAsync(
        string accountId, PaperVenueJournal journal, CancellationToken cancellationToken)
    {
        var expired = new List<(int Number, PaperArchiveChunkKeys? Keys)>();
        var first = journal.FirstArchiveChunk;
        var count = Math.Min(ChunksPerIndexRead, journal.CommittedChunks - first);
        if (count <= 0 || RetentionCutoff() is not { } cutoff || journal.FirstChunkNewest >= cutoff)
        {
            return expired;
        }

        journal.FirstChunkNewest = null;
        var archiveId = GrainId.Create(ArchiveType, accountId);
        var records = await _storage.ReadRecordsAsync<PaperArchiveChunkKeys>(
            [.. Enumerable.Range(first, count).Select(KeysStateName)], archiveId, cancellationToken);
        var keys = records.Select(r => r.RecordExists && r.State.KnowsChunk() ? r.State : null).ToArray();
        var unknown = Enumerable.Range(0, count).Where(i => keys[i] is null).ToList();
        if (unknown.Count > 0)
        {
            var chunks = await _storage.ReadRecordsAsync<PaperArchiveChunk>([.. unknown.Select(i => ChunkStateName(first + i))], archiveId, cancellationToken);
            for (var j = 0; j < unknown.Count; j++)
            {
                // A counted chunk with no record holds nothing to keep.
                keys[unknown[j]] = chunks[j].RecordExists ? PaperArchiveChunkKeys.Of(chunks[j].State, chunks[j].ETag) : null;
            }
        }

        for (var i = 0; i < count; i++)
        {
            var newest = keys[i]?.Newest;
            if (newest >= cutoff)
            {
                journal.FirstChunkNewest = newest;
                break;
            }

            expired.Add((first + i, keys[i]));
        }

        return expired;
    }

    /// <summary>
    /// Now less the retention on the store's clock; null while nothing may be deleted (just started, or a retention of ages).
    /// The cutoff is a wall time, as the archived orders' times are, but the delay after the start counts elapsed time: on
    /// the wall clock, a clock stepped forward an hour after a restart deleted at once what the first reconciliations
    /// back-fill from, and one set back a day deleted nothing for the day.
    /// </summary>
    private DateTimeOffset? RetentionCutoff()
    {
        var now = _time.GetUtcNow();
        if (_time.GetElapsedTime(_startedStamp) < _pruneDelay || now - DateTimeOffset.MinValue <= _finalOrderRetention)
        {
            return null;
        }

        return now - _finalOrderRetention;
    }

    /// <summary>
    /// After a checkpoint naming the new first chunk is written: queries and the archive index leave the expired chunks
    /// (and the legacy record with chunk 0), then their records, and any a crash or failure left before them, are
    /// deleted. A failed delete is logged and tried again after the next checkpoint, which still names the records to
    /// delete (<see cref="PaperVenueCheckpoint.ChunksDeletedBefore"/>); the save itself is done.
    /// </summary>
    private async Task PruneAsync(string accountId, PaperVenueJournal journal, List<(int Number, PaperArchiveChunkKeys? Keys)> expired)
    {
        var archiveId = GrainId.Create(ArchiveType, accountId);
        var previous = journal.FirstArchiveChunk;
        var first = previous + expired.Count;
        var archiveGate = ArchiveGate(accountId);
        await archiveGate.WaitAsync(CancellationToken.None);
        try
        {
            journal.FirstArchiveChunk = first;
            if (_archives.TryGetValue(accountId, out var index))
            {
                if (previous == 0 && first > 0)
                {
                    var legacyKeys = await _storage.ReadRecordAsync<PaperArchiveChunkKeys>(LegacyKeysStateName, archiveId, CancellationToken.None);
                    if (await LegacyKeysAsync(accountId, archiveId, legacyKeys, CancellationToken.None) is { } legacy)
                    {
                        await index.ForgetAsync(-1, legacy, CancellationToken.None);
                    }
                }

                foreach (var (number, keys) in expired)
                {
                    if (keys is not null)
                    {
                        await index.ForgetAsync(number, keys, CancellationToken.None);
                    }
                }
            }
        }
        finally
        {
            archiveGate.Release();
        }

        try
        {
            await DeleteChunksAsync(archiveId, journal.ChunksDeletedBefore, first, expired);
            journal.ChunksDeletedBefore = first;
            PaperStoreLog.ChunksPruned(_logger, accountId, first);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PaperStoreLog.ChunkDeleteFailed(_logger, ex, accountId, first);
        }
    }

    /// <summary>
    /// Deletes the chunk records numbered from <paramref name="from"/> to before <paramref name="to"/>, each with its key
    /// record, and, when from is 0, the legacy record with its own: each at the ETag its key record names (or the retention
    /// read it at), so no chunk is read for it; one whose key record names none (an earlier build's, or a crash's leftover)
    /// is read first, as is one no longer at that version.
    /// </summary>
    /// <remarks>
    /// What guards these deletes against a concurrent writer (another silo still running the account) is the checkpoint
    /// naming the new first chunk, written before them and conditional on its own ETag: a writer that has not seen it
    /// cannot write a checkpoint after it, so nothing it writes below the first chunk is ever counted, and a name there is
    /// never written again by one that has. The ETag only makes a delete remove the version it was judged by; a record at
    /// another version below the first chunk is no checkpoint's either, and is deleted all the same.
    /// </remarks>
    private async Task DeleteChunksAsync(GrainId archiveId, int from, int to, List<(int Number, PaperArchiveChunkKeys? Keys)> expired)
    {
        var judged = expired.ToDictionary(e => e.Number, e => e.Keys);
        for (var start = from; start < to; start += KeyRecordsPerIndexRead)
        {
            var count = Math.Min(KeyRecordsPerIndexRead, to - start);
            var keys = await _storage.ReadRecordsAsync<PaperArchiveChunkKeys>(
                [.. Enumerable.Range(start, count).Select(KeysStateName)], archiveId, CancellationToken.None);
            for (var i = 0; i < count; i++)
            {
                var number = start + i;
                var etag = judged.TryGetValue(number, out var known) ? known?.ChunkETag : keys[i].State.ChunkETag;
                await DeleteArchiveRecordAsync<PaperArchiveChunk>(ChunkStateName(number), archiveId, etag);

                // The key record goes after its chunk: a failure between leaves it to name the chunk's ETag for the retry.
                if (keys[i].RecordExists)
                {
                    await _storage.DeleteStateAsync(KeysStateName(number), archiveId, keys[i], CancellationToken.None);
                }
            }
        }

        if (from == 0 && to > 0)
        {
            var legacyKeys = await _storage.ReadRecordAsync<PaperArchiveChunkKeys>(LegacyKeysStateName, archiveId, CancellationToken.None);
            await DeleteArchiveRecordAsync<PaperArchiveRecord>(LegacyArchiveStateName, archiveId, legacyKeys.State.ChunkETag);
            if (legacyKeys.RecordExists)
            {
                await _storage.DeleteStateAsync(LegacyKeysStateName, archiveId, legacyKeys, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Deletes archive record <paramref name="name"/>, below the first chunk, at <paramref name="etag"/> when known; when
    /// not known, or the record is not at it (written again after its key record, or already deleted by a retry's
    /// earlier attempt), reads it for its ETag and deletes what is there (see <see cref="DeleteChunksAsync"/>).
    /// </summary>
    private async Task DeleteArchiveRecordAsync<T>(string name, GrainId archiveId, string? etag)
        where T : class, new()
    {
        if (etag is not null)
        {
            try
            {
                await _storage.DeleteStateAsync(name, archiveId, new GrainState<T>(new T()) { ETag = etag, RecordExists = true }, CancellationToken.None);
                return;
            }
            catch (InconsistentStateException)
            {
                // Read below for the version it has, if any.
            }
        }

        var record = await _storage.ReadRecordAsync<T>(name, archiveId, CancellationToken.None);
        if (record.RecordExists)
        {
            await _storage.DeleteStateAsync(name, archiveId, record, CancellationToken.None);
        }
    }

    /// <summary>
    /// Writes the next archive chunk once, then its key record with the ETag the chunk's write left;
    /// <see cref="CommitChunksAsync"/> then lets queries read it. A failure or crash before the checkpoint counting the
    /// chunk (between the two writes, or after both) leaves records no checkpoint counts: the index never reads them, and
    /// the next chunk is written over both. So a counted chunk's key record is its own, and names the chunk's version.
    /// </summary>
    private async Task<(int Number, PaperArchiveChunkKeys Keys)> AppendChunkAsync(string accountId, PaperVenueJournal journal, List<PaperOrderRecord> orders, List<Execution> executions,
        CancellationToken cancellationToken)
    {
        var archiveId = GrainId.Create(ArchiveType, accountId);
        var name = ChunkStateName(journal.ArchiveChunks);

        // A chunk past the checkpoint's count is left by a save that failed before its checkpoint: everything in it is
        // still in the state being saved, so it is overwritten (read first for its ETag).
        var number = journal.ArchiveChunks;
        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await _storage.ReadStateAsync(name, archiveId, chunk, cancellationToken);
        chunk.State = PaperArchiveChunk.From(orders, executions);
        var keys = await _storage.ReadRecordAsync<PaperArchiveChunkKeys>(KeysStateName(number), archiveId, cancellationToken);
        await _storage.WriteStateAsync(name, archiveId, chunk, cancellationToken);
        keys.State = PaperArchiveChunkKeys.Of(chunk.State, chunk.ETag);
        await _storage.WriteStateAsync(KeysStateName(number), archiveId, keys, cancellationToken);
        journal.ArchiveChunks++;

        // Just after the newest archived change, so a restored venue asks the archive for anything up to it.
        var newest = orders.Select(o => o.Order.UpdatedAt).Concat(executions.Select(e => e.Timestamp)).Max();
        journal.ArchivedBefore = Later(journal.ArchivedBefore, newest.AddTicks(1));
        return (number, keys.State);
    }

    /// <summary>
    /// Lets queries read the chunks written so far (number <paramref name="number"/> the newest, with <paramref name="keys"/>)
    /// and adds it to the archive index if one is loaded.
    /// </summary>
    private async Task CommitChunksAsync(string accountId, PaperVenueJournal journal, int number, PaperArchiveChunkKeys keys, CancellationToken cancellationToken)
    {
        // The index gate orders this with an index being built, so the chunk is either read by it or added here.
        var archiveGate = ArchiveGate(accountId);
        await archiveGate.WaitAsync(cancellationToken);
        try
        {
            journal.CommittedChunks = journal.ArchiveChunks;
            if (_archives.TryGetValue(accountId, out var index))
            {
                await index.AddAsync(number, keys, cancellationToken);
            }
        }
        finally
        {
            archiveGate.Release();
        }
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    /// <summary>Reads a delta slot once, so the ETag a conditional write needs is known.</summary>
    private async Task<GrainState<PaperVenueDelta>> ReadSlotAsync(PaperVenueJournal journal, GrainId grainId, int slot, CancellationToken cancellationToken)
    {
        if (!journal.SlotRead[slot])
        {
            await _storage.ReadStateAsync(DeltaStateName(slot), grainId, journal.Deltas[slot], cancellationToken);
            journal.SlotRead[slot] = true;
        }

        return journal.Deltas[slot];
    }

    private static string DeltaStateName(int slot) => DeltaStateNames[slot];

    private static string ChunkStateName(int number) => ChunkStatePrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string KeysStateName(int number) => KeysStatePrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The account's archive for queries: the record written before chunks existed (as chunk -1), then every committed
    /// chunk in order (they are numbered without gaps; one past them may hold a save the venue did not keep). Each chunk is
    /// indexed from its key record, read 256 a round trip, so the build reads about 16 bytes per archived order, not the
    /// orders; a chunk without one (written by an earlier build), and the legacy record, is read itself and its key record
    /// written then, so the next build after a restart reads only key records. Only the index is kept, and
    /// <see cref="CommitChunksAsync"/> keeps it current. Queries read the chunks they need, through a small cache.
    /// </summary>
    private async Task<PaperChunkedArchive> ArchiveIndexAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_archives.TryGetValue(accountId, out var cached))
        {
            return cached;
        }

        var journal = await JournalAsync(accountId, cancellationToken);
        var archiveGate = ArchiveGate(accountId);
        await archiveGate.WaitAsync(cancellationToken);
        try
        {
            if (_archives.TryGetValue(accountId, out cached))
            {
                return cached;
            }

            var archiveId = GrainId.Create(ArchiveType, accountId);
            var index = new PaperChunkedArchive((number, ct) => ReadChunkAsync(archiveId, number, ct));

            // The chunks are known ahead: read their key records a run at a time (a round trip per run on a SQL provider).
            // Those before the first live one are past the retention, deleted or about to be. The legacy record lives as
            // long as chunk 0 does; its key record is asked for with the first run.
            var withLegacy = journal.FirstArchiveChunk == 0;
            for (var start = journal.FirstArchiveChunk; start < journal.CommittedChunks || withLegacy; start += KeyRecordsPerIndexRead)
            {
                var count = Math.Max(0, Math.Min(KeyRecordsPerIndexRead, journal.CommittedChunks - start));
                var names = Enumerable.Range(start, count).Select(KeysStateName);
                var keys = await _storage.ReadRecordsAsync<PaperArchiveChunkKeys>(
                    [.. withLegacy ? names.Prepend(LegacyKeysStateName) : names], archiveId, cancellationToken);
                if (withLegacy)
                {
                    if (await LegacyKeysAsync(accountId, archiveId, keys[0], cancellationToken) is { } legacy)
                    {
                        await index.AddAsync(-1, legacy, cancellationToken);
                    }

                    keys = [.. keys.Skip(1)];
                    withLegacy = false;
                }

                var unkeyed = new List<(int Number, GrainState<PaperArchiveChunkKeys> Record)>();
                for (var i = 0; i < count; i++)
                {
                    if (keys[i].RecordExists && keys[i].State.IsWellFormed())
                    {
                        await index.AddAsync(start + i, keys[i].State, cancellationToken);
                    }
                    else
                    {
                        unkeyed.Add((start + i, keys[i]));
                    }
                }

                await IndexChunksAsync(accountId, archiveId, index, unkeyed, cancellationToken);
            }

            _archives[accountId] = index;
            return index;
        }
        finally
        {
            archiveGate.Release();
        }
    }

    /// <summary>
    /// Indexes committed chunks that have no key record from the chunks themselves, 16 a read, and writes each one's key
    /// record (a counted chunk is never written again, so the record stays its own). A key record that cannot be written
    /// is logged and left out: the index is whole all the same, and the next build after a restart reads that chunk again.
    /// </summary>
    private async Task IndexChunksAsync(
        string accountId, GrainId archiveId, PaperChunkedArchive index, List<(int Number, GrainState<PaperArchiveChunkKeys> Record)> unkeyed,
        CancellationToken cancellationToken)
    {
        foreach (var run in unkeyed.Chunk(ChunksPerIndexRead))
        {
            var chunks = await _storage.ReadRecordsAsync<PaperArchiveChunk>([.. run.Select(u => ChunkStateName(u.Number))], archiveId, cancellationToken);
            for (var i = 0; i < run.Length; i++)
            {
                if (!chunks[i].RecordExists)
                {
                    continue;
                }

                var (number, record) = run[i];
                record.State = PaperArchiveChunkKeys.Of(chunks[i].State, chunks[i].ETag);
                await index.AddAsync(number, record.State, cancellationToken);
                try
                {
                    await _storage.WriteStateAsync(KeysStateName(number), archiveId, record, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    PaperStoreLog.ChunkKeysWriteFailed(_logger, ex, accountId, number);
                }
            }
        }
    }

    /// <summary>
    /// The legacy one-record archive's keys from its key record <paramref name="record"/>, or, where that is missing or not
    /// well-formed, from the legacy record itself, read whole, its key record written then (a failed write is logged, and
    /// the next build reads the record again); null when there is no legacy record.
    /// </summary>
    private async Task<PaperArchiveChunkKeys?> LegacyKeysAsync(
        string accountId, GrainId archiveId, GrainState<PaperArchiveChunkKeys> record, CancellationToken cancellationToken)
    {
        if (record.RecordExists && record.State.IsWellFormed())
        {
            return record.State;
        }

        var legacy = await _storage.ReadRecordAsync<PaperArchiveRecord>(LegacyArchiveStateName, archiveId, cancellationToken);
        if (!legacy.RecordExists)
        {
            return null;
        }

        record.State = PaperArchiveChunkKeys.Of(PaperArchiveChunk.From(legacy.State.Orders, legacy.State.Executions), legacy.ETag);
        try
        {
            await _storage.WriteStateAsync(LegacyKeysStateName, archiveId, record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PaperStoreLog.ChunkKeysWriteFailed(_logger, ex, accountId, -1);
        }

        return record.State;
    }

    private SemaphoreSlim ArchiveGate(string accountId) => _archiveGates.GetOrAdd(accountId, static _ => new SemaphoreSlim(1, 1));

    /// <summary>Chunk <paramref name="number"/> of the archive, or for -1 the legacy one-record archive in the chunk form; null when not written.</summary>
    private async Task<PaperArchiveChunk?> ReadChunkAsync(GrainId archiveId, int number, CancellationToken cancellationToken)
    {
        if (number < 0)
        {
            var legacy = new GrainState<PaperArchiveRecord>(new PaperArchiveRecord());
            await _storage.ReadStateAsync(LegacyArchiveStateName, archiveId, legacy, cancellationToken);
            return legacy.RecordExists ? PaperArchiveChunk.From(legacy.State.Orders, legacy.State.Executions) : null;
        }

        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await _storage.ReadStateAsync(ChunkStateName(number), archiveId, chunk, cancellationToken);
        return chunk.RecordExists ? chunk.State : null;
    }

    private async Task<GrainState<PaperVenueIndex>> LoadIndexAsync(CancellationToken cancellationToken)
    {
        await _indexGate.WaitAsync(cancellationToken);
        try
        {
            if (_index is null)
            {
                var state = new GrainState<PaperVenueIndex>(new PaperVenueIndex());
                await _storage.ReadStateAsync(StateName, IndexId, state, cancellationToken);
                _index = state;
            }

            return _index;
        }
        finally
        {
            _indexGate.Release();
        }
    }

    private async Task AddToIndexAsync(string accountId, CancellationToken cancellationToken)
    {
        var index = await LoadIndexAsync(cancellationToken);
        await _indexGate.WaitAsync(cancellationToken);
        try
        {
            if (index.State.Accounts.Contains(accountId, StringComparer.Ordinal))
            {
                return;
            }

            var listed = index.State;
            index.State = new PaperVenueIndex { Accounts = [.. listed.Accounts, accountId] };
            try
            {
                await _storage.WriteStateAsync(StateName, IndexId, index, cancellationToken);
            }
            catch
            {
                // Not listed after all: the next save tries again.
                index.State = listed;
                throw;
            }
        }
        finally
        {
            _indexGate.Release();
        }
    }
}
