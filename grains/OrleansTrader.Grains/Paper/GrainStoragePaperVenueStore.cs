using System.Collections.Concurrent;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// The paper venue's durable store: snapshots, the account index and the archive live in the silo's grain storage
/// (SQLite by default, PostgreSQL in production), so the paper exchange survives silo restarts. Writes per account are
/// serialized by the venue; the ETag of each record is kept here so every write is conditional. A save writes the change
/// the venue hands over (a <see cref="PaperVenueDelta"/>) and a full checkpoint every <see cref="PaperVenueJournal.Slots"/>
/// saves or when the venue cannot describe the change, so its cost follows the change rather than the orders in the
/// retention window.
/// </summary>
internal sealed class GrainStoragePaperVenueStore(IGrainStorage storage) : IPaperVenueStore
{
    private const string SnapshotType = "paper-venue";
    private const string ArchiveType = "paper-venue-archive";
    private const string IndexType = "paper-venue-index";
    private const string StateName = "venue";
    private const string LegacyStateName = "venue";
    private const string CheckpointStateName = "venue-checkpoint";
    private const string DeltaStatePrefix = "venue-delta-";
    private static readonly GrainId IndexId = GrainId.Create(IndexType, "accounts");

    private readonly ConcurrentDictionary<string, PaperVenueJournal> _journals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GrainState<PaperArchiveRecord>> _archives = new(StringComparer.Ordinal);
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
                loaded = delta.Change.ApplyTo(loaded);
                number++;
            }

            journal.LastNumber = number;
            journal.CheckpointThrough = journal.Checkpoint.State.Through;
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
        if (!_journals.TryGetValue(accountId, out var journal))
        {
            await LoadAsync(accountId, cancellationToken);
            journal = _journals[accountId];
        }

        var grainId = journal.GrainId;
        var isNew = !journal.Checkpoint.RecordExists;
        if (change is null || isNew || journal.DeltasSinceCheckpoint >= PaperVenueJournal.Slots)
        {
            journal.Checkpoint.State = new PaperVenueCheckpoint { Snapshot = snapshot(), Through = journal.LastNumber };
            await storage.WriteStateAsync(CheckpointStateName, grainId, journal.Checkpoint, cancellationToken);
            journal.CheckpointThrough = journal.LastNumber;
        }
        else
        {
            var number = journal.LastNumber + 1;
            var slot = PaperVenueJournal.SlotOf(number);
            await ReadSlotAsync(journal, grainId, slot, cancellationToken);
            journal.Deltas[slot].State = new PaperVenueDelta { Number = number, Change = change };
            await storage.WriteStateAsync(DeltaStateName(slot), grainId, journal.Deltas[slot], cancellationToken);
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
        await _archiveGate.WaitAsync(cancellationToken);
        try
        {
            var state = await LoadArchiveAsync(accountId, cancellationToken);
            var orders = state.State.Orders.Where(o => !archive.Orders.Any(a => a.Order.OrderId == o.Order.OrderId)).Concat(archive.Orders);
            var known = state.State.Executions.Select(e => e.ExecutionId).ToHashSet(StringComparer.Ordinal);
            state.State = new PaperArchiveRecord
            {
                Orders = [.. orders],
                Executions = [.. state.State.Executions, .. archive.Executions.Where(e => known.Add(e.ExecutionId))],
            };
            await storage.WriteStateAsync(StateName, GrainId.Create(ArchiveType, accountId), state, cancellationToken);
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    public async Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        (await LoadArchiveAsync(accountId, cancellationToken)).State.Orders.LastOrDefault(o => o.Order.OrderId == orderId);

    public async Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken) =>
        (await LoadArchiveAsync(accountId, cancellationToken)).State.Orders.LastOrDefault(o => o.Order.ClientOrderId == clientOrderId);

    public async Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
        [.. (await LoadArchiveAsync(accountId, cancellationToken)).State.Executions.Where(e => e.Timestamp >= since).OrderBy(e => e.Timestamp)];

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

    private static string DeltaStateName(int slot) => DeltaStatePrefix + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<GrainState<PaperArchiveRecord>> LoadArchiveAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_archives.TryGetValue(accountId, out var cached))
        {
            return cached;
        }

        var state = new GrainState<PaperArchiveRecord>(new PaperArchiveRecord());
        await storage.ReadStateAsync(StateName, GrainId.Create(ArchiveType, accountId), state, cancellationToken);
        return _archives.GetOrAdd(accountId, state);
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
