using System.Globalization;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// The archive's retention decided which chunks at its front had expired, and learned the ETags their deletes need, by
/// reading up to 16 whole chunks (about 70 KB each) at a checkpoint. A chunk's key record now carries its newest instant and
/// the ETag its write left, so pruning reads key records only; a key record of an earlier build, without them, has its
/// chunk read as before.
/// </summary>
public sealed class PaperArchivePruneReadTests
{
    private const string AccountId = "acct-1";
    private const int Chunks = 40;
    private static readonly GrainId ArchiveId = GrainId.Create("paper-venue-archive", AccountId);
    private static readonly GrainId VenueId = GrainId.Create("paper-venue", AccountId);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    // Chunk k of PaperArchiveKeyRecordTests holds orders 3k+1 to 3k+3, each changed and filled step seconds after the start:
    // 30.5 seconds past the retention, chunks 0 to 9 (newest at 30 s) have expired and chunk 10 (newest at 33 s) has not.
    private static readonly DateTimeOffset Now = PaperStoreTestRecords.Start + Retention + TimeSpan.FromSeconds(30.5);

    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checkpoint_AfterARestart_PrunesTheExpiredChunks_ReadingNoWholeChunk()
    {
        var memory = await PaperArchiveKeyRecordTests.ArchivedAsync(_serializer);
        Assert.Equal(0, await CheckpointAsync(memory));
        await AssertPrunedBeforeAsync(memory, 10);
    }

    [Fact]
    public async Task Checkpoint_WithKeyRecordsOfAnEarlierBuild_ReadsTheirChunks_AndPrunesTheSame()
    {
        var memory = await PaperArchiveKeyRecordTests.ArchivedAsync(_serializer);

        // Key records as the build before wrote them: ids and newest execution only.
        for (var number = 0; number < Chunks; number++)
        {
            var keys = await memory.ReadRecordAsync<PaperArchiveChunkKeys>(KeysName(number), ArchiveId, Ct);
            keys.State = keys.State with { Newest = null, ChunkETag = null };
            await memory.WriteStateAsync(KeysName(number), ArchiveId, keys, Ct);
        }

        // The first 16, one read, as before key records knew the chunk.
        Assert.Equal(16, await CheckpointAsync(memory));
        await AssertPrunedBeforeAsync(memory, 10);
    }

    [Fact]
    public async Task Checkpoint_WhenAKeyRecordsChunkETagIsNotTheChunks_ReadsThatChunk_AndDeletesItAllTheSame()
    {
        var memory = await PaperArchiveKeyRecordTests.ArchivedAsync(_serializer);
        var keys3 = await memory.ReadRecordAsync<PaperArchiveChunkKeys>(KeysName(3), ArchiveId, Ct);
        keys3.State = keys3.State with { ChunkETag = "999" };
        await memory.WriteStateAsync(KeysName(3), ArchiveId, keys3, Ct);
        // Below the first chunk the checkpoint names, a record is no checkpoint's: whatever version is there goes.
        Assert.Equal(1, await CheckpointAsync(memory));
        await AssertPrunedBeforeAsync(memory, 10);
    }

    [Fact]
    public async Task Checkpoint_OnSqlite_DeletesAtTheKeyRecordsETags_AndReadsOnlyTheChunkWhoseETagIsNotItsOwn()
    {
        using var dir = new TempDirectory();
        try
        {
            using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = dir.File("storage.db") });
            var storage = new SqliteGrainStorage(database, _serializer);
            await storage.InitializeAsync(Ct);
            await PrunesAtTheKeyRecordsETagsAsync(storage);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// On <paramref name="storage"/>: chunks 0 to 9 are deleted at the ETags their key records name, chunk 3's made not its
    /// own, so that one is read (PaperArchiveKeyRecordSqlTests runs it on PostgreSQL).
    /// </summary>
    internal static async Task PrunesAtTheKeyRecordsETagsAsync(IGrainStorage storage)
    {
        await PaperArchiveKeyRecordTests.ArchivedAsync(storage);
        var keys3 = await storage.ReadRecordAsync<PaperArchiveChunkKeys>(KeysName(3), ArchiveId, Ct);
        keys3.State = keys3.State with { ChunkETag = "999" };
        await storage.WriteStateAsync(KeysName(3), ArchiveId, keys3, Ct);

        Assert.Equal(1, await CheckpointAsync(storage));
        await AssertPrunedBeforeAsync(storage, 10);
    }

    /// <summary>
    /// A restarted store, 30.5 s past the retention of chunk 0's orders, loads the account, indexes its archive and writes a
    /// checkpoint; the whole archive records that checkpoint read.
    /// </summary>
    private static async Task<int> CheckpointAsync(IGrainStorage storage)
    {
        var counting = new WholeArchiveReadCountingStorage(storage);
        var store = new GrainStoragePaperVenueStore(counting, new FakeTimeProvider(Now), Retention, TimeSpan.Zero);
        var loaded = await store.LoadAsync(AccountId, Ct);
        Assert.NotNull(loaded);

        // The index is loaded too, so the pruned chunks leave it.
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync(AccountId, "c-new", Ct));
        var before = counting.WholeReads;
        await store.SaveAsync(AccountId, null, () => loaded, Ct);
        var reads = counting.WholeReads - before;
        Assert.Null(await store.FindArchivedOrderAsync(AccountId, "o30", Ct));
        Assert.Equal("o31", (await store.FindArchivedOrderAsync(AccountId, "o31", Ct))?.Order.OrderId);
        return reads;
    }

    private static async Task AssertPrunedBeforeAsync(IGrainStorage storage, int first)
    {
        var checkpoint = await storage.ReadRecordAsync<PaperVenueCheckpoint>("venue-checkpoint", VenueId, Ct);
        Assert.Equal(first, checkpoint.State.FirstArchiveChunk);
        for (var number = 0; number < Chunks; number++)
        {
            var chunk = await storage.ReadRecordAsync<PaperArchiveChunk>("chunk-" + number.ToString(CultureInfo.InvariantCulture), ArchiveId, Ct);
            var keys = await storage.ReadRecordAsync<PaperArchiveChunkKeys>(KeysName(number), ArchiveId, Ct);
            Assert.True(chunk.RecordExists == number >= first, $"chunk {number} {(chunk.RecordExists ? "is still" : "is not")} stored");
            Assert.True(keys.RecordExists == number >= first, $"the key record of chunk {number} {(keys.RecordExists ? "is still" : "is not")} stored");
        }

        var restarted = new GrainStoragePaperVenueStore(storage);
        Assert.Null(await restarted.FindArchivedOrderAsync(AccountId, "o1", Ct));
        Assert.Equal("o120", (await restarted.FindArchivedOrderAsync(AccountId, "o120", Ct))?.Order.OrderId);
    }

    private static string KeysName(int number) => "keys-" + number.ToString(CultureInfo.InvariantCulture);
}
