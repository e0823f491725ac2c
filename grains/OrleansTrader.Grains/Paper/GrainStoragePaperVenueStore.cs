using System.Collections.Concurrent;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// The paper venue's durable store: checkpoints, deltas, the account index and the archive live in the silo's grain
/// storage (SQLite by default, PostgreSQL in production), so the paper exchange survives silo restarts. Writes per
/// account are serialized by the venue; the ETag of each record is kept here so every write is conditional. A save
/// writes the change the venue hands over (a <see cref="PaperVenueDelta"/>) and a checkpoint every
/// <see cref="PaperVenueJournal.Slots"/> saves or when the venue cannot describe the change. A checkpoint holds only
/// live state: the final orders and executions since the previous one go first into one archive chunk, written once,
/// so neither record grows with the orders in the retention window. After a restart the venue finds them in the
/// archive (the checkpoint's ArchivedBefore says so).
/// </summary>
internal sealed class GrainStoragePaperVenueStore(IGrainStorage storage) : IPaperVenueStore
{
    private const string SnapshotType = "paper-venue";
    private const string ArchiveType = "paper-venue-archive";
    private const string IndexType = "paper-venue-index";
    private const string StateName = "venue";
    private const string LegacyStateName = "venue";
    private const string LegacyArchiveStateName = "venue";
    private const string CheckpointStateName = "venue-checkpoint";
    private const string DeltaStatePrefix = "venue-delta-";
    private const string ChunkStatePrefix = "chunk-";
    private static readonly GrainId IndexId = GrainId.Create(IndexType, "accounts");

    // Named once: a delta is written on every venue save.
    private static readonly string[] DeltaStateNames =
        [.. Enumerable.Range(0, PaperVenueJournal.Slots).Select(slot => DeltaStatePrefix + slot.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly ConcurrentDictionary<string, PaperVenueJournal> _journals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PaperChunkedArchive> _archives = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexGate = new(1, 1);
    private readonly SemaphoreSlim _archiveGate = new(1, 1);
    private GrainState<PaperVenueIndex>? _index;

    public async Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        var index = await LoadIndexAsync(cancellationToken);
        return [.. index.State.Accounts];
    }

    public async Task<PaperVenueSnapshot?> LoadAsync(string accountId, CancellationToken cancellationToken)
    {
        var grainId = GrainId.Create(SnapshotType, accountId);
        var journal = new PaperVenueJournal(grainId);
        await storage.ReadStateAsync(CheckpointStateName, grainId, journal.Checkpoint, cancellationToken);
        PaperVenueSnapshot? loaded = null;
        if (journal.Checkpoint.RecordExists)
        {
            loaded = journal.Checkpoint.State.Snapshot;
            var number = journal.Checkpoint.State.Through;

            // Deltas are written in sequence: the first slot that does not hold the next number ends the journal.
            while (number - journal.Checkpoint.State.Through < PaperVenueJournal.Slots
                && await ReadSlotAsync(journal, grainId, PaperVenueJournal.SlotOf(number + 1), cancellationToken) is { RecordExists: true, State: { } delta }
                && delta.Number == number + 1)
            {
                loaded = delta.ToChange().ApplyTo(loaded);
                journal.Deltas[PaperVenueJournal.SlotOf(number + 1)].State = null!;
                number++;
            }

            // A delta carries the venue's ArchivedBefore, which does not know what the checkpoint moved to the archive.
            loaded = loaded with { ArchivedBefore = Later(loaded.ArchivedBefore, journal.Checkpoint.State.Snapshot.ArchivedBefore) };
            journal.LastNumber = number;
            journal.CheckpointThrough = journal.Checkpoint.State.Through;
            journal.ArchiveChunks = journal.Checkpoint.State.ArchiveChunks;
            journal.ArchivedBefore = journal.Checkpoint.State.Snapshot.ArchivedBefore;
        }
        else
        {
            // A venue saved before deltas existed kept one whole snapshot; the first save from here writes a checkpoint.
            var legacy = new GrainState<PaperVenueSnapshot>(new PaperVenueSnapshot());
            await storage.ReadStateAsync(LegacyStateName, grainId, legacy, cancellationToken);
            loaded = legacy.RecordExists ? legacy.State : null;
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

        // Dropped executions are counted against the whole list, which a checkpoint does not keep: checkpoint them.
        if (change is null || change.DroppedExecutions > 0 || isNew || journal.DeltasSinceCheckpoint >= PaperVenueJournal.Slots)
        {
            await WriteCheckpointAsync(accountId, journal, snapshot(), cancellationToken);
        }
        else
        {
            var number = journal.LastNumber + 1;
            var slot = PaperVenueJournal.SlotOf(number);
            await ReadSlotAsync(journal, grainId, slot, cancellationToken);
            var record = journal.Deltas[slot];
            record.State = PaperVenueDelta.From(number, change);
            await storage.WriteStateAsync(DeltaStateName(slot), grainId, record, cancellationToken);

            // Only the slot's ETag is needed from here on; holding its delta would keep a ring of them per account.
            record.State = null!;
            journal.LastNumber = number;
        }

        if (isNew)
        {
            await AddToIndexAsync(accountId, cancellationToken);
        }
    }

    public async Task ArchiveAsync(string accountId, PaperVenueArchive archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var journal = await JournalAsync(accountId, cancellationToken);

        // What a checkpoint already put into a chunk is not written again; the venue forgets it now, and so does the journal.
        var orders = archive.Orders.Where(o => !journal.ArchivedOrderIds.Remove(o.Order.OrderId)).ToList();
        var executions = archive.Executions.Where(e => !journal.ArchivedExecutionIds.Remove(e.ExecutionId)).ToList();
        if (orders.Count > 0 || executions.Count > 0)
        {
            await AppendChunkAsync(accountId, journal, orders, executions, cancellationToken);
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
    /// Writes the live part of <paramref name="full"/> as the checkpoint, after a chunk with the final orders (whole
    /// groups only, once every member is final) and executions no earlier chunk holds.
    /// </summary>
    private async Task WriteCheckpointAsync(string accountId, PaperVenueJournal journal, PaperVenueSnapshot full, CancellationToken cancellationToken)
    {
        var doneGroups = DoneGroups(full);
        var live = new List<PaperOrderRecord>();
        var history = new List<PaperOrderRecord>();
        foreach (var record in full.Orders)
        {
            var isHistory = record.Order.Status.IsFinal() && (record.GroupId is null || doneGroups.Contains(record.GroupId));
            if (!isHistory)
            {
                live.Add(record);
            }
            else if (!journal.ArchivedOrderIds.Contains(record.Order.OrderId))
            {
                history.Add(record);
            }
        }

        var executions = full.Executions.Where(e => !journal.ArchivedExecutionIds.Contains(e.ExecutionId)).ToList();
        if (history.Count > 0 || executions.Count > 0)
        {
            await AppendChunkAsync(accountId, journal, history, executions, cancellationToken);
            journal.ArchivedOrderIds.UnionWith(history.Select(r => r.Order.OrderId));
            journal.ArchivedExecutionIds.UnionWith(executions.Select(e => e.ExecutionId));
        }

        journal.Checkpoint.State = new PaperVenueCheckpoint
        {
            Snapshot = full with
            {
                Orders = live,
                Groups = [.. full.Groups.Where(g => !doneGroups.Contains(g.GroupId))],
                Executions = [],
                ArchivedBefore = Later(full.ArchivedBefore, journal.ArchivedBefore),
            },
            Through = journal.LastNumber,
            ArchiveChunks = journal.ArchiveChunks,
        };
        await storage.WriteStateAsync(CheckpointStateName, journal.GrainId, journal.Checkpoint, cancellationToken);
        journal.CheckpointThrough = journal.LastNumber;
    }

    /// <summary>
    /// The groups whose members are all final. Only accounts with groups need the orders by id: a checkpoint walks every
    /// order the venue keeps, and the lookup was built for it even when there was no group to ask it.
    /// </summary>
    private static HashSet<string> DoneGroups(PaperVenueSnapshot full)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        if (full.Groups.Count == 0)
        {
            return done;
        }

        var orders = full.Orders.ToDictionary(r => r.Order.OrderId, StringComparer.Ordinal);
        foreach (var group in full.Groups)
        {
            if (Members(group).All(id => orders.GetValueOrDefault(id) is not { } member || member.Order.Status.IsFinal()))
            {
                done.Add(group.GroupId);
            }
        }

        return done;
    }

    /// <summary>Writes the next archive chunk once and adds it to the archive index if one is loaded.</summary>
    private async Task AppendChunkAsync(string accountId, PaperVenueJournal journal, List<PaperOrderRecord> orders, List<Execution> executions,
        CancellationToken cancellationToken)
    {
        var archiveId = GrainId.Create(ArchiveType, accountId);
        var name = ChunkStateName(journal.ArchiveChunks);

        // A chunk past the checkpoint's count is left by a save that failed before its checkpoint: everything in it is
        // still in the state being saved, so it is overwritten (read first for its ETag).
        var number = journal.ArchiveChunks;
        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await storage.ReadStateAsync(name, archiveId, chunk, cancellationToken);
        chunk.State = PaperArchiveChunk.From(orders, executions);
        await storage.WriteStateAsync(name, archiveId, chunk, cancellationToken);
        journal.ArchiveChunks++;

        // Just after the newest archived change, so a restored venue asks the archive for anything up to it.
        var newest = orders.Select(o => o.Order.UpdatedAt).Concat(executions.Select(e => e.Timestamp)).Max();
        journal.ArchivedBefore = Later(journal.ArchivedBefore, newest.AddTicks(1));

        // The index gate orders this with an index being built, so the chunk is either read by it or added here.
        await _archiveGate.WaitAsync(cancellationToken);
        try
        {
            if (_archives.TryGetValue(accountId, out var index))
            {
                await index.AddAsync(number, chunk.State, cancellationToken);
            }
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    private static IEnumerable<string> Members(OrderGroup group) => group.ChildOrderIds.Append(group.EntryOrderId).OfType<string>();

    /// <summary>Reads a delta slot once, so the ETag a conditional write needs is known.</summary>
    private async Task<GrainState<PaperVenueDelta>> ReadSlotAsync(PaperVenueJournal journal, GrainId grainId, int slot, CancellationToken cancellationToken)
    {
        if (!journal.SlotRead[slot])
        {
            await storage.ReadStateAsync(DeltaStateName(slot), grainId, journal.Deltas[slot], cancellationToken);
            journal.SlotRead[slot] = true;
        }

        return journal.Deltas[slot];
    }

    private static string DeltaStateName(int slot) => DeltaStateNames[slot];

    private static string ChunkStateName(int number) => ChunkStatePrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The account's archive for queries: the record written before chunks existed (as chunk -1), then every chunk in
    /// order (they are numbered without gaps). Each is read once to index which chunk holds which order and how recent
    /// its executions are; only that index is kept, and <see cref="AppendChunkAsync"/> keeps it current. Queries read
    /// the chunks they need again, through a small cache.
    /// </summary>
    private async Task<PaperChunkedArchive> ArchiveIndexAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_archives.TryGetValue(accountId, out var cached))
        {
            return cached;
        }

        await _archiveGate.WaitAsync(cancellationToken);
        try
        {
            if (_archives.TryGetValue(accountId, out cached))
            {
                return cached;
            }

            var archiveId = GrainId.Create(ArchiveType, accountId);
            var index = new PaperChunkedArchive((number, ct) => ReadChunkAsync(archiveId, number, ct));
            for (var number = -1; ; number++)
            {
                if (await ReadChunkAsync(archiveId, number, cancellationToken) is not { } chunk)
                {
                    if (number < 0)
                    {
                        continue;
                    }

                    break;
                }

                await index.AddAsync(number, chunk, cancellationToken);
            }

            _archives[accountId] = index;
            return index;
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    /// <summary>Chunk <paramref name="number"/> of the archive, or for -1 the legacy one-record archive in the chunk form; null when not written.</summary>
    private async Task<PaperArchiveChunk?> ReadChunkAsync(GrainId archiveId, int number, CancellationToken cancellationToken)
    {
        if (number < 0)
        {
            var legacy = new GrainState<PaperArchiveRecord>(new PaperArchiveRecord());
            await storage.ReadStateAsync(LegacyArchiveStateName, archiveId, legacy, cancellationToken);
            return legacy.RecordExists ? PaperArchiveChunk.From(legacy.State.Orders, legacy.State.Executions) : null;
        }

        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await storage.ReadStateAsync(ChunkStateName(number), archiveId, chunk, cancellationToken);
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
                await storage.ReadStateAsync(StateName, IndexId, state, cancellationToken);
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

            index.State = new PaperVenueIndex { Accounts = [.. index.State.Accounts, accountId] };
            await storage.WriteStateAsync(StateName, IndexId, index, cancellationToken);
        }
        finally
        {
            _indexGate.Release();
        }
    }
}
