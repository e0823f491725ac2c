using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// The one-record archive of a build before chunks (<c>venue</c>, indexed as chunk -1) had no key record: every restart's
/// first archive question read and decoded it whole, until the retention deleted it with chunk 0. It now gets one
/// (<c>venue-keys</c>) at the first index build that reads it, as a chunk of an earlier build does.
/// </summary>
public sealed class PaperArchiveLegacyKeyRecordTests
{
    private const string AccountId = "acct-1";
    private static readonly GrainId ArchiveId = GrainId.Create("paper-venue-archive", AccountId);
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LegacyArchive_IsReadWholeAtTheFirstRestartOnly_LaterRestartsReadItsKeyRecord()
    {
        var memory = await PaperArchiveKeyRecordTests.ArchivedAsync(_serializer);
        await memory.WriteStateAsync("venue", ArchiveId, new GrainState<PaperArchiveRecord>(new PaperArchiveRecord
        {
            Orders = [Filled(1001), Filled(1002)],
            Executions = [PaperStoreTestRecords.Execution(1001), PaperStoreTestRecords.Execution(1002)],
        }), Ct);

        var wholeReads = new List<int>();
        for (var restart = 0; restart < 2; restart++)
        {
            var counting = new WholeArchiveReadCountingStorage(memory);
            var store = new GrainStoragePaperVenueStore(counting);

            // A new order's idempotency check: no archived order has its client order id.
            Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
            wholeReads.Add(counting.WholeReads);
        }

        // The first build after the upgrade reads the legacy record once, to write its key record; the next reads no whole record.
        Assert.Equal([1, 0], wholeReads);
        var again = new GrainStoragePaperVenueStore(memory);
        Assert.Equal("o1002", (await again.FindArchivedOrderByClientOrderIdAsync(AccountId, "c1002", Ct))?.Order.OrderId);
        Assert.Equal("o1001", (await again.FindArchivedOrderAsync(AccountId, "o1001", Ct))?.Order.OrderId);
        Assert.Equal(["e1001", "e1002"], (await again.LoadArchivedExecutionsAsync(AccountId, PaperStoreTestRecords.Execution(1001).Timestamp, Ct))
            .Select(e => e.ExecutionId));
    }

    [Fact]
    public async Task LegacyArchive_IsDeletedWithChunkZero_WithItsKeyRecord_ReadingNoWholeRecord()
    {
        var memory = await PaperArchiveKeyRecordTests.ArchivedAsync(_serializer);
        await memory.WriteStateAsync("venue", ArchiveId, new GrainState<PaperArchiveRecord>(new PaperArchiveRecord { Orders = [Filled(1001)] }), Ct);

        // A restart after the upgrade indexed it; the next one, 35 days on, prunes chunk 0 and the legacy record with it.
        Assert.Null(await new GrainStoragePaperVenueStore(memory).FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
        var counting = new WholeArchiveReadCountingStorage(memory);
        var store = new GrainStoragePaperVenueStore(
            counting, new FakeTimeProvider(PaperStoreTestRecords.Start.AddDays(35)), TimeSpan.FromDays(30), TimeSpan.Zero);
        var loaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal("o1001", (await store.FindArchivedOrderAsync(AccountId, "o1001", Ct))?.Order.OrderId);
        var before = counting.WholeReads;
        await store.SaveAsync(AccountId, null, () => loaded, Ct);

        Assert.Equal(0, counting.WholeReads - before);
        Assert.False((await memory.ReadRecordAsync<PaperArchiveRecord>("venue", ArchiveId, Ct)).RecordExists, "the legacy record is still stored");
        Assert.False((await memory.ReadRecordAsync<PaperArchiveChunkKeys>("venue-keys", ArchiveId, Ct)).RecordExists, "its key record is still stored");
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, "o1001", Ct));
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
}
