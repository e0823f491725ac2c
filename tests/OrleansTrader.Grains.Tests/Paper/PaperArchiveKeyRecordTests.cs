using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// An account's first archive question after a restart (an order's idempotency check asks the archive for its client order
/// id) built the archive index by reading and decoding every chunk the retention keeps: about a minute for an account that
/// places 100,000 orders a day under 30 days' retention. Each chunk now has a key record (its ids' hashes and newest
/// execution) written after it, and the index is built from those; a chunk without one is read as before.
/// </summary>
public sealed class PaperArchiveKeyRecordTests
{
    private const string AccountId = "acct-1";
    private const int Chunks = 40;
    private const int PerChunk = 3;
    private static readonly GrainId ArchiveId = GrainId.Create("paper-venue-archive", AccountId);
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstArchiveQuery_AfterARestart_ReadsNoChunkToIndex_OnlyTheKeyRecords()
    {
        var memory = await ArchivedAsync(_serializer);
        var chunkReads = new ReadCountingStorage("chunk-");
        var keyReads = new ReadCountingStorage("keys-");
        var store = new GrainStoragePaperVenueStore(keyReads.Over(chunkReads.Over(memory)));

        // A new order's idempotency check: no archived order has its client order id, so no chunk is read at all.
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
        Assert.Equal(0, chunkReads.RecordsRead);
        Assert.Equal(Chunks, keyReads.RecordsRead);
        Assert.Equal(1, keyReads.Reads);

        // A known one reads the one chunk that holds it.
        Assert.Equal("o62", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c62", Ct))?.Order.OrderId);
        Assert.Equal(1, chunkReads.RecordsRead);
    }

    [Fact]
    public async Task ArchiveQueries_OnAStoreOfAnEarlierBuild_AnswerFromTheLegacyRecordAndTheChunks_WithOrWithoutKeyRecords()
    {
        var memory = await ArchivedAsync(_serializer);

        // An earlier build's layout: the one-record archive (orders 1001 and 1002) and chunks without key records, here
        // every other one.
        for (var number = 0; number < Chunks; number += 2)
        {
            await DeleteKeysAsync(memory, number);
        }

        var legacy = new GrainState<PaperArchiveRecord>(new PaperArchiveRecord
        {
            Orders = [Filled(1001), Filled(1002)],
            Executions = [PaperStoreTestRecords.Execution(1001), PaperStoreTestRecords.Execution(1002)],
        });
        await memory.WriteStateAsync("venue", ArchiveId, legacy, Ct);
        var chunkReads = new ReadCountingStorage("chunk-");
        var store = new GrainStoragePaperVenueStore(chunkReads.Over(memory));

        Assert.Equal("o1002", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c1002", Ct))?.Order.OrderId);
        Assert.Equal("o1", (await store.FindArchivedOrderAsync(AccountId, "o1", Ct))?.Order.OrderId);
        Assert.Equal("o4", (await store.FindArchivedOrderAsync(AccountId, "o4", Ct))?.Order.OrderId);
        Assert.Equal("o120", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c120", Ct))?.Order.OrderId);
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
        var expected = Enumerable.Range(1, Chunks * PerChunk).Append(1001).Append(1002).Select(step => "e" + step.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, (await store.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct)).Select(e => e.ExecutionId));

        // The chunks without key records were read once to index them, and got their key records then.
        Assert.All(await KeyRecordsAsync(memory), keys => Assert.True(keys.RecordExists));
        var restarted = new ReadCountingStorage("chunk-");
        var again = new GrainStoragePaperVenueStore(restarted.Over(memory));
        Assert.Null(await again.FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
        Assert.Equal(0, restarted.RecordsRead);
        Assert.Equal("o7", (await again.FindArchivedOrderAsync(AccountId, "o7", Ct))?.Order.OrderId);
    }

    [Fact]
    public async Task KeyRecord_NamingAnIdItsChunkDoesNotHold_CostsARead_NotAWrongAnswer()
    {
        var memory = await ArchivedAsync(_serializer);

        // Chunk 5 (orders 16 to 18) made to name order 7 as well, as a hash collision would: order 7 is in chunk 2.
        var chunk5 = await memory.ReadRecordAsync<PaperArchiveChunk>("chunk-5", ArchiveId, Ct);
        var keys5 = await memory.ReadRecordAsync<PaperArchiveChunkKeys>("keys-5", ArchiveId, Ct);
        keys5.State = PaperArchiveChunkKeys.Of(chunk5.State with { Orders = [.. chunk5.State.Orders, PaperStoredOrder.From(Filled(7))] });
        await memory.WriteStateAsync("keys-5", ArchiveId, keys5, Ct);
        var chunkReads = new ReadCountingStorage("chunk-");
        var store = new GrainStoragePaperVenueStore(chunkReads.Over(memory));

        Assert.Equal("o7", (await store.FindArchivedOrderAsync(AccountId, "o7", Ct))?.Order.OrderId);
        Assert.Equal(2, chunkReads.RecordsRead);
        Assert.Equal("o7", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c7", Ct))?.Order.OrderId);
        Assert.Equal("o17", (await store.FindArchivedOrderAsync(AccountId, "o17", Ct))?.Order.OrderId);
    }

    [Fact]
    public async Task KeyRecordThatIsNotWellFormed_IsTreatedAsMissing_AndItsChunkIsRead()
    {
        var memory = await ArchivedAsync(_serializer);
        var keys9 = await memory.ReadRecordAsync<PaperArchiveChunkKeys>("keys-9", ArchiveId, Ct);
        keys9.State = keys9.State with { ClientOrderIds = [.. keys9.State.ClientOrderIds.Take(8)] };
        await memory.WriteStateAsync("keys-9", ArchiveId, keys9, Ct);
        var chunkReads = new ReadCountingStorage("chunk-");
        var store = new GrainStoragePaperVenueStore(chunkReads.Over(memory));

        // Chunk 9 holds orders 28 to 30.
        Assert.Equal("o30", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c30", Ct))?.Order.OrderId);
        Assert.Equal(2, chunkReads.RecordsRead);
        Assert.True((await memory.ReadRecordAsync<PaperArchiveChunkKeys>("keys-9", ArchiveId, Ct)).State.IsWellFormed());
    }

    [Fact]
    public async Task CrashAfterAChunk_BeforeItsKeyRecord_LeavesNothingQueriesRead_AndTheNextChunkIsWrittenOverBoth()
    {
        var memory = await ArchivedAsync(_serializer);
        var failing = new KeyRecordWriteFailingStorage(memory);
        var store = new GrainStoragePaperVenueStore(failing);
        await store.LoadAsync(AccountId, Ct);

        failing.FailKeyRecordWrites = true;
        await Assert.ThrowsAsync<IOException>(() => store.ArchiveAsync(AccountId, new PaperVenueArchive { Orders = [Filled(500)] }, Ct));
        Assert.True((await memory.ReadRecordAsync<PaperArchiveChunk>($"chunk-{Chunks}", ArchiveId, Ct)).RecordExists);
        Assert.False((await memory.ReadRecordAsync<PaperArchiveChunkKeys>($"keys-{Chunks}", ArchiveId, Ct)).RecordExists);
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, "o500", Ct));

        failing.FailKeyRecordWrites = false;
        await store.ArchiveAsync(AccountId, new PaperVenueArchive { Orders = [Filled(501)] }, Ct);
        await store.SaveAsync(AccountId, null, () => new PaperVenueSnapshot { NextSequence = 502 }, Ct);
        var restarted = new GrainStoragePaperVenueStore(memory);
        Assert.Null(await restarted.FindArchivedOrderAsync(AccountId, "o500", Ct));
        Assert.Equal("o501", (await restarted.FindArchivedOrderByClientOrderIdAsync(AccountId, "c501", Ct))?.Order.OrderId);
    }

    /// <summary>Storage holding <see cref="Chunks"/> committed archive chunks of <see cref="PerChunk"/> orders each, orders 1 onward.</summary>
    internal static async Task<IGrainStorage> ArchivedAsync(IGrainStateSerializer serializer) =>
        await ArchivedAsync(new MemoryGrainStorage(serializer));

    /// <summary>Writes <see cref="Chunks"/> committed archive chunks of <see cref="PerChunk"/> orders each (orders 1 onward) into <paramref name="storage"/>.</summary>
    internal static async Task<IGrainStorage> ArchivedAsync(IGrainStorage storage)
    {
        var writer = new GrainStoragePaperVenueStore(storage);
        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            var steps = Enumerable.Range((chunk * PerChunk) + 1, PerChunk).ToList();
            await writer.ArchiveAsync(
                AccountId,
                new PaperVenueArchive { Orders = [.. steps.Select(Filled)], Executions = [.. steps.Select(PaperStoreTestRecords.Execution)] },
                Ct);
        }

        // The venue saves after archiving; that checkpoint counts the chunks.
        await writer.SaveAsync(AccountId, null, () => new PaperVenueSnapshot { NextSequence = (Chunks * PerChunk) + 1 }, Ct);
        return storage;
    }

    internal static async Task DeleteKeysAsync(IGrainStorage storage, int number)
    {
        var name = "keys-" + number.ToString(CultureInfo.InvariantCulture);
        var keys = await storage.ReadRecordAsync<PaperArchiveChunkKeys>(name, ArchiveId, Ct);
        Assert.True(keys.RecordExists, $"chunk {number} has no key record to delete");
        await storage.DeleteStateAsync(name, ArchiveId, keys, Ct);
    }

    private static async Task<IReadOnlyList<GrainState<PaperArchiveChunkKeys>>> KeyRecordsAsync(IGrainStorage storage) =>
        await storage.ReadRecordsAsync<PaperArchiveChunkKeys>(
            [.. Enumerable.Range(0, Chunks).Select(n => "keys-" + n.ToString(CultureInfo.InvariantCulture))], ArchiveId, Ct);

    private static PaperOrderRecord Filled(int step)
    {
        var record = PaperStoreTestRecords.Order(step, step, 1m);
        return record with
        {
            Order = record.Order with { Status = OrderStatus.Filled, FilledQuantity = 1m, AverageFillPrice = 100m + step },
            Matching = null,
        };
    }

    /// <summary>Storage whose writes of chunk key records fail while <see cref="FailKeyRecordWrites"/> is set: a crash after the chunk's write.</summary>
    private sealed class KeyRecordWriteFailingStorage(IGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        public bool FailKeyRecordWrites { get; set; }

        public override Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            FailKeyRecordWrites && stateName.StartsWith("keys-", StringComparison.Ordinal)
                ? Task.FromException(new IOException("storage unavailable"))
                : base.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
