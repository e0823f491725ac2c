using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Tests.Paper;

/// <summary>
/// The archive's key records on the SQL providers (a database per test class on PostgreSQL): the index after a restart
/// reads key records, not chunks, and chunks of an earlier build (no key record) are read and get theirs; the retention
/// deletes chunks at the ETags their key records name.
/// </summary>
public sealed class PaperArchiveKeyRecordSqlTests : IAsyncLifetime
{
    private readonly ThrowawayPostgresDatabase _postgres = new("ot_archive_");
    private readonly JsonGrainStateSerializer _serializer = new([GrainsStateJsonContext.Default]);
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _postgres.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task ArchiveIndex_ReadsKeyRecords_AndIndexesChunksWithoutThem_OnSqlite()
    {
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = _dir.File("storage.db") });
        var storage = new SqliteGrainStorage(database, _serializer);
        await storage.InitializeAsync(Ct);

        await IndexesFromKeyRecordsAsync(storage);
    }

    [Fact]
    public async Task ArchiveIndex_ReadsKeyRecords_AndIndexesChunksWithoutThem_OnPostgres()
    {
        Assert.SkipWhen(_postgres.ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await using var database = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = _postgres.ConnectionString! });
        var storage = new PostgresGrainStorage(database, _serializer);
        await storage.InitializeAsync(Ct);

        await IndexesFromKeyRecordsAsync(storage);
    }

    [Fact]
    public async Task Checkpoint_DeletesExpiredChunksAtTheKeyRecordsETags_OnPostgres()
    {
        Assert.SkipWhen(_postgres.ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await using var database = new PostgresDatabase(new PostgresStorageOptions { ConnectionString = _postgres.ConnectionString! });
        var storage = new PostgresGrainStorage(database, _serializer);
        await storage.InitializeAsync(Ct);

        // The SQLite case is in PaperArchivePruneReadTests.
        await PaperArchivePruneReadTests.PrunesAtTheKeyRecordsETagsAsync(storage);
    }

    private static async Task IndexesFromKeyRecordsAsync(IGrainStorage storage)
    {
        await PaperArchiveKeyRecordTests.ArchivedAsync(storage);
        var restarted = new ReadCountingStorage("chunk-");
        var store = new GrainStoragePaperVenueStore(restarted.Over(storage));
        Assert.Null(await store.FindArchivedOrderByClientOrderIdAsync("acct-1", "c-new", Ct));
        Assert.Equal(0, restarted.RecordsRead);
        Assert.Equal("o100", (await store.FindArchivedOrderByClientOrderIdAsync("acct-1", "c100", Ct))?.Order.OrderId);

        // Chunks 0, 10, 20 and 30 as an earlier build left them: read to index them once, and given their key records.
        foreach (var number in new[] { 0, 10, 20, 30 })
        {
            await PaperArchiveKeyRecordTests.DeleteKeysAsync(storage, number);
        }

        var earlier = new ReadCountingStorage("chunk-");
        Assert.Equal("o61", (await new GrainStoragePaperVenueStore(earlier.Over(storage)).FindArchivedOrderAsync("acct-1", "o61", Ct))?.Order.OrderId);
        Assert.Equal(4 + 1, earlier.RecordsRead);
        var again = new ReadCountingStorage("chunk-");
        Assert.Null(await new GrainStoragePaperVenueStore(again.Over(storage)).FindArchivedOrderAsync("acct-1", "o-new", Ct));
        Assert.Equal(0, again.RecordsRead);
    }
}
