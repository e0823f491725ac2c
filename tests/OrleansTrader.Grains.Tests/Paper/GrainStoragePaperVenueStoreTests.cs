using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

public sealed class GrainStoragePaperVenueStoreTests
{
    private const string AccountId = "acct-1";
    private static readonly DateTimeOffset Start = PaperStoreTestRecords.Start;
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SaveAsync_ManySavesWithChangesRemovalsAndArchiving_ReloadsExactlyTheLastSnapshotAfterEverySave()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        var snapshot = new PaperVenueSnapshot();

        for (var step = 1; step <= 3 * PaperVenueJournal.Slots + 5; step++)
        {
            snapshot = await SaveChangeAsync(store, snapshot, step);

            await AssertReloadsAsync(storage, snapshot);
        }
    }

    [Fact]
    public async Task SaveAsync_AfterManySaves_KeepsOneCheckpointAndABoundedRingOfDeltas()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        var snapshot = new PaperVenueSnapshot();

        for (var step = 1; step <= 5 * PaperVenueJournal.Slots; step++)
        {
            snapshot = await SaveChangeAsync(store, snapshot, step);
        }

        // The checkpoint, the ring of delta slots, the account index and at most one archive chunk per checkpoint
        // (every 7th change drops executions and so is a checkpoint, besides one per ring), each with its key record.
        var chunks = await CountChunksAsync(storage);
        Assert.InRange(chunks, 1, (5 * PaperVenueJournal.Slots / 7) + 5 + 1);
        Assert.Equal(1 + PaperVenueJournal.Slots + 1 + (2 * chunks), storage.Count);
        Assert.Equal([AccountId], await new GrainStoragePaperVenueStore(storage).ListAccountsAsync(Ct));
    }

    [Fact]
    public async Task SaveAsync_ContinuesTheJournalOfAReloadedStore()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var snapshot = new PaperVenueSnapshot();
        var first = new GrainStoragePaperVenueStore(storage);
        for (var step = 1; step <= 10; step++)
        {
            snapshot = await SaveChangeAsync(first, snapshot, step);
        }

        var second = new GrainStoragePaperVenueStore(storage);
        var loaded = await second.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        snapshot = loaded;
        for (var step = 11; step <= 2 * PaperVenueJournal.Slots + 3; step++)
        {
            snapshot = await SaveChangeAsync(second, snapshot, step);
        }

        await AssertReloadsAsync(storage, snapshot);
    }

    [Fact]
    public async Task SaveAsync_ANewAccountsFirstDeltas_DoNotReadTheirSlots_WhileAReloadedOneReadsEachSlotOnce()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var storage = new ReadCountingStorage(memory);
        var store = new GrainStoragePaperVenueStore(storage);
        Assert.Null(await store.LoadAsync(AccountId, Ct));
        var snapshot = new PaperVenueSnapshot();
        for (var step = 1; step <= 20; step++)
        {
            snapshot = await SaveChangeAsync(store, snapshot, step);
        }

        // No checkpoint means no delta: a new account knows its slots are empty.
        Assert.Equal(0, storage.DeltaReads);
        await AssertReloadsAsync(memory, snapshot);

        // A reloaded account reads the deltas after its checkpoint (in runs, with slots past the last one: their ETags
        // are kept), then each slot the load did not read once, before its first write.
        var reloadedStore = new GrainStoragePaperVenueStore(storage);
        snapshot = (await reloadedStore.LoadAsync(AccountId, Ct))!;
        var atLoad = storage.DeltaReads;
        Assert.InRange(atLoad, 1, PaperVenueJournal.Slots);
        for (var step = 21; step <= 60; step++)
        {
            snapshot = await SaveChangeAsync(reloadedStore, snapshot, step);
        }

        Assert.InRange(storage.DeltaReads - atLoad, 1, 40);
        Assert.Equal(storage.DeltaSlotsRead, storage.DeltaReads);
        await AssertReloadsAsync(memory, snapshot);
    }

    [Fact]
    public async Task SaveAsync_ADeltaSlotThatIsNotEmptyAfterAll_FailsOneSave_AndTheRetryWritesIt()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(memory);

        // A record in every slot although the account has no checkpoint (nothing the store writes leaves this).
        var venueId = GrainId.Create("paper-venue", AccountId);
        for (var slot = 0; slot < PaperVenueJournal.Slots; slot++)
        {
            var stray = new GrainState<PaperVenueDelta>(PaperVenueDelta.From(10_000 + slot, PaperVenueChange.Between(new PaperVenueSnapshot(), new PaperVenueSnapshot())!));
            await memory.WriteStateAsync("venue-delta-" + slot.ToString(CultureInfo.InvariantCulture), venueId, stray, Ct);
        }

        Assert.Null(await store.LoadAsync(AccountId, Ct));
        var snapshot = await SaveChangeAsync(store, new PaperVenueSnapshot(), 1);
        var next = Change(snapshot, 2);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.SaveAsync(AccountId, PaperVenueChange.Between(snapshot, next), () => next, Ct));

        await store.SaveAsync(AccountId, PaperVenueChange.Between(snapshot, next), () => next, Ct);
        await AssertReloadsAsync(memory, next);
    }

    [Fact]
    public void Between_ExecutionsChangedInTheMiddle_IsNullSoTheStoreWritesACheckpoint()
    {
        var a = NewExecution(1);
        var b = NewExecution(2);
        var c = NewExecution(3);

        var change = PaperVenueChange.Between(new PaperVenueSnapshot { Executions = [a, b, c] }, new PaperVenueSnapshot { Executions = [a, c, b] });

        Assert.Null(change);
    }

    [Fact]
    public async Task SaveAsync_WithoutAChange_WritesACheckpointThatReloadsExactly()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        var snapshot = new PaperVenueSnapshot();
        for (var step = 1; step <= 5; step++)
        {
            snapshot = await SaveChangeAsync(store, snapshot, step);
        }

        var whole = Change(snapshot, 6);
        await store.SaveAsync(AccountId, null, () => whole, Ct);
        snapshot = await SaveChangeAsync(store, whole, 7);

        await AssertReloadsAsync(storage, snapshot);
    }

    [Fact]
    public async Task LoadAsync_AVenueSavedAsOneWholeSnapshot_LoadsItAndContinuesWithACheckpoint()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var legacy = Change(Change(new PaperVenueSnapshot(), 1), 2);
        await storage.WriteStateAsync("venue", GrainId.Create("paper-venue", AccountId), new GrainState<PaperVenueSnapshot>(legacy), Ct);

        var store = new GrainStoragePaperVenueStore(storage);
        var loaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(Canonical(legacy), Canonical(loaded));
        var snapshot = await SaveChangeAsync(store, loaded, 3);
        snapshot = await SaveChangeAsync(store, snapshot, 4);

        await AssertReloadsAsync(storage, snapshot);
    }

    [Fact]
    public async Task ArchiveQueries_KeepOnlyAnIndexOfTheChunks_AndReadTheChunksTheyNeedThroughASmallCache()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var writer = new GrainStoragePaperVenueStore(memory);
        const int Chunks = 12;
        const int PerChunk = 5;
        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            var steps = Enumerable.Range((chunk * PerChunk) + 1, PerChunk).ToList();
            var archive = new PaperVenueArchive
            {
                Orders = [.. steps.Select(step => NewOrder(step, step))],
                Executions = [.. steps.Select(NewExecution)],
            };
            await writer.ArchiveAsync(AccountId, archive, Ct);
        }

        // The venue saves after archiving; that checkpoint counts the chunks.
        await writer.SaveAsync(AccountId, null, () => new PaperVenueSnapshot { NextSequence = (Chunks * PerChunk) + 1 }, Ct);

        var storage = new ReadCountingStorage(memory);
        var store = new GrainStoragePaperVenueStore(storage);
        Assert.Equal("o3", (await store.FindArchivedOrderAsync(AccountId, "o3", Ct))?.Order.OrderId);

        // The legacy record's key record and the legacy record (neither here), and the key record of every chunk the
        // checkpoint counts once for the index; then chunk 0 for the order.
        Assert.Equal(2 + Chunks + 1, storage.ArchiveReads);
        var built = storage.ArchiveReads;

        // Each lookup reads only the chunk that holds the order, unless it is among the last chunks read.
        Assert.Equal("o58", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c58", Ct))?.Order.OrderId);
        Assert.Equal(built + 1, storage.ArchiveReads);
        Assert.Equal("o3", (await store.FindArchivedOrderAsync(AccountId, "o3", Ct))?.Order.OrderId);
        Assert.Equal(built + 1, storage.ArchiveReads);
        foreach (var step in new[] { 11, 21, 31, 41 })
        {
            Assert.NotNull(await store.FindArchivedOrderAsync(AccountId, "o" + step.ToString(CultureInfo.InvariantCulture), Ct));
        }

        // Only the last four chunks read are kept: chunk 0 is read again, chunk 8 (read last) is not.
        var before = storage.ArchiveReads;
        Assert.NotNull(await store.FindArchivedOrderAsync(AccountId, "o41", Ct));
        Assert.Equal(before, storage.ArchiveReads);
        Assert.NotNull(await store.FindArchivedOrderAsync(AccountId, "o1", Ct));
        Assert.Equal(before + 1, storage.ArchiveReads);

        // Unknown ids read nothing; executions since an instant read only the chunks with executions that recent.
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, "o999", Ct));
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c999", Ct));
        Assert.Equal(before + 1, storage.ArchiveReads);
        var since = await store.LoadArchivedExecutionsAsync(AccountId, Start.AddSeconds(53), Ct);
        Assert.Equal(["e53", "e54", "e55", "e56", "e57", "e58", "e59", "e60"], since.Select(e => e.ExecutionId));
        Assert.Equal("c53", since[0].ClientOrderId);
        Assert.Equal(before + 3, storage.ArchiveReads); // chunks 10 and 11 only
        Assert.Equal(Chunks * PerChunk, (await store.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct)).Count);
    }

    [Fact]
    public async Task ArchiveQueries_ChunksWrittenAfterTheIndexWasBuilt_AreFoundToo()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var store = new GrainStoragePaperVenueStore(storage);
        await store.ArchiveAsync(AccountId, new PaperVenueArchive { Orders = [NewOrder(1, 1)], Executions = [NewExecution(1)] }, Ct);
        Assert.NotNull(await store.FindArchivedOrderAsync(AccountId, "o1", Ct));

        await store.ArchiveAsync(AccountId, new PaperVenueArchive { Orders = [NewOrder(2, 2)], Executions = [NewExecution(2)] }, Ct);

        Assert.Equal("o2", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c2", Ct))?.Order.OrderId);
        Assert.Equal(["e1", "e2"], (await store.LoadArchivedExecutionsAsync(AccountId, Start, Ct)).Select(e => e.ExecutionId));
    }

    /// <summary>
    /// Reloads the account in a new store: the live state exactly, the executions since the last checkpoint in memory
    /// and every earlier one in the archive, before the reloaded ArchivedBefore.
    /// </summary>
    private async Task AssertReloadsAsync(MemoryGrainStorage storage, PaperVenueSnapshot expected)
    {
        var store = new GrainStoragePaperVenueStore(storage);
        var reloaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(reloaded);
        Assert.Equal(Canonical(expected with { Executions = [], ArchivedBefore = null }), Canonical(reloaded with { Executions = [], ArchivedBefore = null }));
        Assert.Equal(expected.Executions.TakeLast(reloaded.Executions.Count).Select(e => e.ExecutionId), reloaded.Executions.Select(e => e.ExecutionId));
        var archived = await store.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct);
        var earlier = expected.Executions.SkipLast(reloaded.Executions.Count).ToList();
        Assert.Empty(earlier.Select(e => e.ExecutionId).Except(archived.Select(e => e.ExecutionId)));
        if (archived.Count > 0)
        {
            Assert.True(reloaded.ArchivedBefore > archived.Max(e => e.Timestamp));
        }
    }

    private static async Task<int> CountChunksAsync(MemoryGrainStorage storage)
    {
        var count = 0;
        while (true)
        {
            var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
            await storage.ReadStateAsync("chunk-" + count.ToString(CultureInfo.InvariantCulture), GrainId.Create("paper-venue-archive", AccountId), chunk, Ct);
            if (!chunk.RecordExists)
            {
                return count;
            }

            count++;
        }
    }

    /// <summary>Applies one <see cref="Change"/> and saves it the way the venue does: the change, and the whole state on demand.</summary>
    private static async Task<PaperVenueSnapshot> SaveChangeAsync(GrainStoragePaperVenueStore store, PaperVenueSnapshot previous, int step)
    {
        var next = Change(previous, step);
        await store.SaveAsync(AccountId, PaperVenueChange.Between(previous, next), () => next, Ct);
        return next;
    }

    /// <summary>One venue change: a new order, an update of an older one, a fill, and now and then orders and executions leaving.</summary>
    private static PaperVenueSnapshot Change(PaperVenueSnapshot snapshot, int step)
    {
        var orders = snapshot.Orders.ToList();
        orders.Add(NewOrder(step, snapshot.NextSequence + 1));
        if (orders.Count > 2)
        {
            var older = orders[orders.Count / 2];
            var matching = older.Matching ?? SimulatedOrder.From(older.Order);
            orders[orders.Count / 2] = older with { Matching = matching with { LeavesQuantity = matching.LeavesQuantity + 1m } };
        }

        var executions = snapshot.Executions.ToList();
        executions.Add(NewExecution(step));
        var positions = snapshot.Positions.ToDictionary(p => p.Symbol, StringComparer.Ordinal);
        var symbol = "S" + (step % 4).ToString(CultureInfo.InvariantCulture);
        positions[symbol] = (positions.GetValueOrDefault(symbol) ?? Position.Flat(symbol)) with { Quantity = step };
        if (step % 7 == 0)
        {
            orders.RemoveRange(0, Math.Min(3, orders.Count));
            executions.RemoveRange(0, Math.Min(2, executions.Count));
            positions.Remove("S" + ((step + 1) % 4).ToString(CultureInfo.InvariantCulture));
        }

        return new PaperVenueSnapshot
        {
            Orders = orders,
            Executions = executions,
            Positions = [.. positions.Values],
            Groups = snapshot.Groups,
            NextSequence = snapshot.NextSequence + 1,
            ArchivedBefore = step % 7 == 0 ? Start.AddSeconds(step) : snapshot.ArchivedBefore,
        };
    }

    private static PaperOrderRecord NewOrder(int step, long sequence) => PaperStoreTestRecords.Order(step, sequence, quantity: step);

    private static Execution NewExecution(int step) => PaperStoreTestRecords.Execution(step);

    /// <summary>The snapshot as JSON with unordered collections sorted, so equal content compares equal.</summary>
    private string Canonical(PaperVenueSnapshot snapshot) => System.Text.Encoding.UTF8.GetString(_serializer.Serialize(snapshot with
    {
        Orders = [.. snapshot.Orders.OrderBy(o => o.Sequence)],
        Positions = [.. snapshot.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal)],
        Groups = [.. snapshot.Groups.OrderBy(g => g.GroupId, StringComparer.Ordinal)],
    }));

    /// <summary>Counts reads of archive records (the legacy record and the chunks) and of delta slots; a bulk read goes through the interface default, so each of its records counts.</summary>
    private sealed class ReadCountingStorage(MemoryGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        private readonly HashSet<string> _deltaSlots = new(StringComparer.Ordinal);

        public int ArchiveReads { get; private set; }

        public int DeltaReads { get; private set; }

        /// <summary>Distinct delta slots read: fewer than <see cref="DeltaReads"/> when a slot was read twice.</summary>
        public int DeltaSlotsRead => _deltaSlots.Count;

        public override Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        {
            if (grainId.Type.Value == "paper-venue-archive")
            {
                ArchiveReads++;
            }

            if (stateName.StartsWith("venue-delta-", StringComparison.Ordinal))
            {
                DeltaReads++;
                _deltaSlots.Add(stateName);
            }

            return base.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
        }
    }
}
