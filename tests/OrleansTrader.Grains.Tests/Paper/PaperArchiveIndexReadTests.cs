using System.Globalization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// The first archive query of an account indexes every committed chunk: a chunk without a key record (an earlier build's)
/// is read itself, in runs (a storage round trip per run, not per chunk), with the same answers as reading them one by
/// one, a missing chunk included.
/// </summary>
public sealed class PaperArchiveIndexReadTests
{
    private const string AccountId = "acct-1";
    private const int Chunks = 40;
    private const int PerChunk = 3;
    private static readonly DateTimeOffset Start = PaperStoreTestRecords.Start;
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstArchiveQuery_OnChunksWithoutKeyRecords_ReadsTheChunksToIndex_InAFewRoundTrips()
    {
        // Chunks as a build before key records wrote them (PaperArchiveKeyRecordTests has the chunks with them).
        var memory = await ArchivedAsync();
        for (var number = 0; number < Chunks; number++)
        {
            await PaperArchiveKeyRecordTests.DeleteKeysAsync(memory, number);
        }

        var counting = new ReadCountingStorage("chunk-");
        var store = new GrainStoragePaperVenueStore(counting.Over(memory));

        Assert.Equal("o2", (await store.FindArchivedOrderAsync(AccountId, "o2", Ct))?.Order.OrderId);

        // Every chunk once for the index, then chunk 0 again for the order (the index keeps no chunk it read).
        Assert.Equal(Chunks + 1, counting.RecordsRead);
        Assert.True(counting.Reads <= 4, $"Indexing {Chunks} archive chunks read {counting.RecordsRead} chunks in {counting.Reads} reads");
    }

    [Fact]
    public async Task ArchiveQueries_AnswerAsBefore_WithAChunkMissing()
    {
        var memory = await ArchivedAsync();
        var archiveId = GrainId.Create("paper-venue-archive", AccountId);
        var gone = await memory.ReadRecordAsync<PaperArchiveChunk>("chunk-17", archiveId, Ct);
        await memory.ClearStateAsync("chunk-17", archiveId, gone, Ct);
        var store = new GrainStoragePaperVenueStore(memory);

        // Chunk 17 held orders and executions 52 to 54.
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, "o53", Ct));
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c52", Ct));
        Assert.Equal("o55", (await store.FindArchivedOrderAsync(AccountId, "o55", Ct))?.Order.OrderId);
        Assert.Equal("o120", (await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c120", Ct))?.Order.OrderId);
        var executions = await store.LoadArchivedExecutionsAsync(AccountId, DateTimeOffset.MinValue, Ct);
        Assert.Equal(
            Enumerable.Range(1, Chunks * PerChunk).Where(step => step is < 52 or > 54).Select(step => "e" + step.ToString(CultureInfo.InvariantCulture)),
            executions.Select(e => e.ExecutionId));
    }

    /// <summary>Storage holding <see cref="Chunks"/> committed archive chunks of <see cref="PerChunk"/> orders each, orders 1 onward.</summary>
    private async Task<MemoryGrainStorage> ArchivedAsync()
    {
        var memory = new MemoryGrainStorage(_serializer);
        var writer = new GrainStoragePaperVenueStore(memory);
        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            var steps = Enumerable.Range((chunk * PerChunk) + 1, PerChunk).ToList();
            await writer.ArchiveAsync(
                AccountId, new PaperVenueArchive { Orders = [.. steps.Select(NewOrder)], Executions = [.. steps.Select(NewExecution)] }, Ct);
        }

        // The venue saves after archiving; that checkpoint counts the chunks.
        await writer.SaveAsync(AccountId, null, () => new PaperVenueSnapshot { NextSequence = (Chunks * PerChunk) + 1 }, Ct);
        return memory;
    }

    private static PaperOrderRecord NewOrder(int step) => PaperStoreTestRecords.Order(step, step, quantity: step);

    private static Execution NewExecution(int step) => PaperStoreTestRecords.Execution(step);
}
