using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

using static OrleansTrader.Grains.Tests.Paper.PaperVenueTestKit;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// <c>PaperExchange:FinalOrderRetention</c>: whole archive chunks past it are deleted from the archive's front at a
/// checkpoint, the checkpoint naming the new first chunk written before the records go, and none in the first minutes
/// after the store started.
/// </summary>
public sealed class PaperArchiveRetentionTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly TimeSpan PruneDelay = TimeSpan.FromMinutes(10);

    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpoint_PastTheRetention_DeletesTheOldChunksOnly_AndARestoredVenueAnswersPrunedOrdersAsUnknown()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        List<string> old, kept;
        await using (var exchange = await StartAsync(Store(storage, time), time))
        {
            old = await SubmitAsync(exchange, time, 0, 2 * PaperVenueJournal.Slots);
            var oldChunks = (await ReadCheckpointAsync(storage)).ArchiveChunks;
            Assert.True(oldChunks >= 2, $"{oldChunks} chunks after the old orders");

            // Two weeks later (a Tuesday again): younger than the retention when the next batch comes.
            time.Advance(TimeSpan.FromDays(14));
            kept = await SubmitAsync(exchange, time, 1_000, 2 * PaperVenueJournal.Slots);
            Assert.Equal(0, (await ReadCheckpointAsync(storage)).FirstArchiveChunk);
            Assert.True(await ChunkExistsAsync(storage, 0));

            // 35 days after the old orders, 21 after the kept ones: the next checkpoint deletes the old ones' chunks.
            time.Advance(TimeSpan.FromDays(21));
            kept.AddRange(await SubmitAsync(exchange, time, 2_000, (2 * PaperVenueJournal.Slots) + 1));
            var client = exchange.GetClient(AccountId);
            Assert.Null(await client.GetOrderAsync(old[0], Ct));
            Assert.Null(await client.GetOrderByClientOrderIdAsync("c-0", Ct));
        }

        var checkpoint = await ReadCheckpointAsync(storage);
        Assert.True(checkpoint.FirstArchiveChunk > 0, "no chunk was pruned");
        Assert.Equal(checkpoint.FirstArchiveChunk, checkpoint.ChunksDeletedBefore);
        for (var number = 0; number < checkpoint.FirstArchiveChunk; number++)
        {
            Assert.False(await ChunkExistsAsync(storage, number), $"chunk {number}, before the first live one, is still stored");
            Assert.False(await KeysExistAsync(storage, number), $"the key record of chunk {number}, before the first live one, is still stored");
        }

        for (var number = checkpoint.FirstArchiveChunk; number < checkpoint.ArchiveChunks; number++)
        {
            Assert.True(await ChunkExistsAsync(storage, number), $"chunk {number}, inside the retention, is gone");
            Assert.True(await KeysExistAsync(storage, number), $"the key record of chunk {number}, inside the retention, is gone");
        }

        await using var restarted = await StartAsync(Store(storage, time), time);
        var again = restarted.GetClient(AccountId);
        foreach (var id in old)
        {
            Assert.Null(await again.GetOrderAsync(id, Ct));
        }

        Assert.Null(await again.GetOrderByClientOrderIdAsync("c-1", Ct));
        foreach (var id in kept)
        {
            Assert.Equal(OrderStatus.Filled, (await again.GetOrderAsync(id, Ct))?.Status);
        }

        Assert.Equal(kept, (await again.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.OrderId));
    }

    [Fact]
    public async Task RestoredVenue_AfterADowntimeLongerThanTheRetention_DeletesNothingUntilThePruneDelayHasPassed()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        // Down for five weeks: every chunk is past the retention when the silo comes back.
        var old = await ArchivedThenDownFiveWeeksAsync(storage, time);
        await using var restarted = await StartAsync(Store(storage, time), time);
        var client = restarted.GetClient(AccountId);
        await SubmitAsync(restarted, time, 1_000, PaperVenueJournal.Slots + 1);
        Assert.Equal(0, (await ReadCheckpointAsync(storage)).FirstArchiveChunk);
        Assert.True(await ChunkExistsAsync(storage, 0));
        Assert.Equal(old, (await client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.OrderId).Take(old.Count));

        time.Advance(PruneDelay);
        await SubmitAsync(restarted, time, 2_000, PaperVenueJournal.Slots + 1);
        Assert.True((await ReadCheckpointAsync(storage)).FirstArchiveChunk > 0);
        Assert.False(await ChunkExistsAsync(storage, 0));
        Assert.Null(await client.GetOrderAsync(old[0], Ct));
    }

    /// <summary>
    /// The prune delay counts elapsed time: on the wall clock, a clock stepped forward an hour just after the restart (a
    /// host resumed, NTP) let the first checkpoint delete the chunks the accounts' first reconciliations back-fill from.
    /// </summary>
    [Fact]
    public async Task RestoredVenue_DeletesNothingBeforeThePruneDelay_WhenTheWallClockStepsForward()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        await ArchivedThenDownFiveWeeksAsync(storage, time);
        var clock = new SkewedTimeProvider(time);
        await using var restarted = await StartAsync(Store(storage, clock), time);
        clock.Skew = TimeSpan.FromHours(1);
        await SubmitAsync(restarted, time, 1_000, PaperVenueJournal.Slots + 1);

        Assert.Equal(0, (await ReadCheckpointAsync(storage)).FirstArchiveChunk);
        Assert.True(await ChunkExistsAsync(storage, 0));
    }

    /// <summary>
    /// The prune delay counts elapsed time: on the wall clock, a clock set back a day just after the restart (an operator,
    /// NTP stepping a clock that ran fast) deleted nothing for a day and ten minutes, the archive growing past its retention.
    /// </summary>
    [Fact]
    public async Task RestoredVenue_DeletesAfterThePruneDelay_WhenTheWallClockWasSetBackADay()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        await ArchivedThenDownFiveWeeksAsync(storage, time);
        var clock = new SkewedTimeProvider(time);
        await using var restarted = await StartAsync(Store(storage, clock), time);
        clock.Skew = -TimeSpan.FromDays(1);
        time.Advance(PruneDelay);
        await SubmitAsync(restarted, time, 1_000, PaperVenueJournal.Slots + 1);

        Assert.True((await ReadCheckpointAsync(storage)).FirstArchiveChunk > 0, "no chunk was deleted ten minutes after the restart");
        Assert.False(await ChunkExistsAsync(storage, 0));
    }

    [Fact]
    public async Task CrashBetweenTheCheckpointAndTheDeletes_LeavesALoadableState_AndTheOrphansAreDeletedAfterTheNextCheckpoint()
    {
        var storage = new ChunkDeleteFailingStorage(new MemoryGrainStorage(_serializer));
        var time = new FakeTimeProvider(Start);
        List<string> old, kept;
        await using (var exchange = await StartAsync(Store(storage, time), time))
        {
            old = await SubmitAsync(exchange, time, 0, PaperVenueJournal.Slots + 1);
            time.Advance(TimeSpan.FromDays(35));

            // The checkpoint naming the new first chunk is written; every delete after it fails, as a crash would leave it.
            storage.FailChunkDeletes = true;
            kept = await SubmitAsync(exchange, time, 1_000, PaperVenueJournal.Slots + 1);
        }

        var crashed = await ReadCheckpointAsync(storage.Inner);
        Assert.True(crashed.FirstArchiveChunk > 0, "no chunk was pruned");
        Assert.Equal(0, crashed.ChunksDeletedBefore);
        Assert.True(await ChunkExistsAsync(storage.Inner, 0), "the failed delete left no orphan to test");
        Assert.True(await KeysExistAsync(storage.Inner, 0), "the failed delete left no orphan key record to test");

        // A restart loads what the checkpoint names, reads no orphan, and deletes the orphans after its next checkpoint.
        storage.FailChunkDeletes = false;
        var store = Store(storage, time);
        Assert.NotNull(await store.LoadAsync(AccountId, Ct));
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, old[0], Ct));
        Assert.Equal(OrderStatus.Filled, (await store.FindArchivedOrderAsync(AccountId, kept[0], Ct))?.Order.Status);
        Assert.DoesNotContain(old[0], (await store.LoadArchivedExecutionsAsync(AccountId, Start, Ct)).Select(e => e.OrderId));

        time.Advance(PruneDelay);
        await using var restarted = await StartAsync(store, time);
        await SubmitAsync(restarted, time, 2_000, (2 * PaperVenueJournal.Slots) + 1);
        var checkpoint = await ReadCheckpointAsync(storage.Inner);
        for (var number = 0; number < crashed.FirstArchiveChunk; number++)
        {
            Assert.False(await ChunkExistsAsync(storage.Inner, number), $"orphan chunk {number} is still stored");
            Assert.False(await KeysExistAsync(storage.Inner, number), $"the key record of orphan chunk {number} is still stored");
        }

        Assert.Equal(OrderStatus.Filled, (await restarted.GetClient(AccountId).GetOrderAsync(kept[0], Ct))?.Status);
        Assert.True(checkpoint.ChunksDeletedBefore >= crashed.FirstArchiveChunk);
    }

    [Fact]
    public async Task CheckpointWrittenBeforeRetention_WithoutTheFirstChunkFields_LoadsFromChunkZero_AndIsPrunedFromThere()
    {
        var storage = new MemoryGrainStorage(_serializer);
        var time = new FakeTimeProvider(Start);
        List<string> old;
        await using (var exchange = await StartAsync(new GrainStoragePaperVenueStore(storage), time))
        {
            old = await SubmitAsync(exchange, time, 0, PaperVenueJournal.Slots + 1);
        }

        // The checkpoint as a build before the retention wrote it: no FirstArchiveChunk, no ChunksDeletedBefore.
        var record = new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint());
        await storage.ReadStateAsync("venue-checkpoint", VenueId, record, Ct);
        var json = JsonNode.Parse(_serializer.Serialize(record.State))!.AsObject();
        Assert.True(json.Remove(nameof(PaperVenueCheckpoint.FirstArchiveChunk)));
        Assert.True(json.Remove(nameof(PaperVenueCheckpoint.ChunksDeletedBefore)));
        record.State = _serializer.Deserialize<PaperVenueCheckpoint>(JsonSerializer.SerializeToUtf8Bytes(json));
        Assert.Equal(0, record.State.FirstArchiveChunk);
        await storage.WriteStateAsync("venue-checkpoint", VenueId, record, Ct);

        var store = Store(storage, time);
        Assert.Equal(old[0], (await store.FindArchivedOrderAsync(AccountId, old[0], Ct))?.Order.OrderId);

        time.Advance(TimeSpan.FromDays(35));
        await using var restarted = await StartAsync(store, time);
        await SubmitAsync(restarted, time, 1_000, PaperVenueJournal.Slots + 1);
        Assert.False(await ChunkExistsAsync(storage, 0));
        Assert.Null(await restarted.GetClient(AccountId).GetOrderAsync(old[0], Ct));
    }

    [Fact]
    public async Task ArchiveIndex_ForgetsAPrunedChunk_ItsIdsAndExecutionsGo_TheOthersStay()
    {
        var chunks = new Dictionary<int, PaperArchiveChunk>
        {
            [0] = PaperArchiveChunk.From([Filled(1), Filled(2)], [PaperStoreTestRecords.Execution(1), PaperStoreTestRecords.Execution(2)]),
            [1] = PaperArchiveChunk.From([Filled(3)], [PaperStoreTestRecords.Execution(3)]),
        };
        var index = new PaperChunkedArchive((number, _) => Task.FromResult(chunks.GetValueOrDefault(number)));
        foreach (var (number, chunk) in chunks)
        {
            await index.AddAsync(number, chunk, Ct);
        }

        Assert.Equal("o1", (await index.FindOrderAsync("o1", Ct))?.Order.OrderId);
        await index.ForgetAsync(0, chunks[0], Ct);

        Assert.Equal(1, index.IndexedOrders);
        Assert.Equal(0, index.CachedChunkCount);
        Assert.Null(await index.FindOrderAsync("o1", Ct));
        Assert.Null(await index.FindByClientOrderIdAsync("c2", Ct));
        Assert.Equal("o3", (await index.FindByClientOrderIdAsync("c3", Ct))?.Order.OrderId);
        Assert.Equal(["e3"], (await index.ExecutionsSinceAsync(DateTimeOffset.MinValue, Ct)).Select(e => e.ExecutionId));
    }

    private static PaperOrderRecord Filled(int step)
    {
        var record = PaperStoreTestRecords.Order(step, step, 1m);
        return record with
        {
            Order = record.Order with { Status = OrderStatus.Filled, FilledQuantity = 1m, AverageFillPrice = 100m + step },
            Matching = null,
        };
    }

    /// <summary>A venue that archived a journal's worth of orders into <paramref name="storage"/>, then stopped for five weeks.</summary>
    private static async Task<List<string>> ArchivedThenDownFiveWeeksAsync(IGrainStorage storage, FakeTimeProvider time)
    {
        List<string> archived;
        await using (var exchange = await StartAsync(Store(storage, time), time))
        {
            archived = await SubmitAsync(exchange, time, 0, PaperVenueJournal.Slots + 1);
        }

        time.Advance(TimeSpan.FromDays(35));
        return archived;
    }

    private static GrainStoragePaperVenueStore Store(IGrainStorage storage, TimeProvider time) => new(storage, time, Retention, PruneDelay);

    /// <summary>Market buys c-{first}.. at the current instant (a fresh quote first, so they fill at once), each a save; their order ids.</summary>
    private static async Task<List<string>> SubmitAsync(PaperExchange exchange, FakeTimeProvider time, int first, int count)
    {
        await exchange.UpdateQuoteAsync(new QuoteTick("AAPL", time.GetUtcNow(), 100m, 1_000_000m, 100.05m, 1_000_000m), Ct);
        var client = exchange.GetClient(AccountId);
        var ids = new List<string>();
        for (var i = first; i < first + count; i++)
        {
            ids.Add((await client.SubmitOrderAsync(MarketBuy(i), Ct)).OrderId);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        return ids;
    }

    private static async Task<PaperVenueCheckpoint> ReadCheckpointAsync(IGrainStorage storage)
    {
        var checkpoint = new GrainState<PaperVenueCheckpoint>(new PaperVenueCheckpoint());
        await storage.ReadStateAsync("venue-checkpoint", VenueId, checkpoint, Ct);
        return checkpoint.State;
    }

    private static async Task<bool> ChunkExistsAsync(IGrainStorage storage, int number)
    {
        var chunk = new GrainState<PaperArchiveChunk>(new PaperArchiveChunk());
        await storage.ReadStateAsync("chunk-" + number.ToString(CultureInfo.InvariantCulture), ArchiveId, chunk, Ct);
        return chunk.RecordExists;
    }

    private static async Task<bool> KeysExistAsync(IGrainStorage storage, int number) =>
        (await storage.ReadRecordAsync<PaperArchiveChunkKeys>("keys-" + number.ToString(CultureInfo.InvariantCulture), ArchiveId, Ct)).RecordExists;

    /// <summary>Storage whose deletes of archive chunks fail while <see cref="FailChunkDeletes"/> is set: a crash after a checkpoint's write.</summary>
    private sealed class ChunkDeleteFailingStorage(MemoryGrainStorage inner) : ForwardingGrainStorage(inner)
    {
        public MemoryGrainStorage Inner { get; } = inner;

        public bool FailChunkDeletes { get; set; }

        public override Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Fails(stateName) ?? base.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public override Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Fails(stateName) ?? base.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);

        private Task? Fails(string stateName) =>
            FailChunkDeletes && (stateName.StartsWith("chunk-", StringComparison.Ordinal) || stateName.StartsWith("keys-", StringComparison.Ordinal))
                ? Task.FromException(new IOException("storage unavailable"))
                : null;
    }
}
