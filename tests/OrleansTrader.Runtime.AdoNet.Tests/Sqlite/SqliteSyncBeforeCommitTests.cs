using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>SyncBeforeCommit: a file whose commits wait until what another file committed is on disk.</summary>
public sealed class SqliteSyncBeforeCommitTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task EachCommit_SyncsTheOtherFilesWal_WhenThatFileCommittedSinceTheLastSync()
    {
        var statePath = Path.Combine(_root, "state.db");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var cache = new SqliteDatabaseCache(services.GetRequiredService<IMeterFactory>());
        using var syncs = new InstrumentReader(services, "orleanstrader.sqlite.wal_sync.duration");
        var state = cache.GetOrCreate(new SqliteStorageOptions { DataSource = statePath });
        var log = cache.GetOrCreate(new SqliteStorageOptions { DataSource = Path.Combine(_root, "log.db"), SyncBeforeCommit = statePath });
        long StateSyncs() => syncs.Count("file=state.db,table_prefix=");

        await ExecuteAsync(state, "CREATE TABLE s (id INTEGER PRIMARY KEY);");
        Assert.Equal(0, StateSyncs());

        // The log's first commit finds the state's commit not yet synced; its second finds nothing new.
        await ExecuteAsync(log, "CREATE TABLE l (id INTEGER PRIMARY KEY);");
        Assert.Equal(1, StateSyncs());
        await ExecuteAsync(log, "INSERT INTO l (id) VALUES (1);");
        Assert.Equal(1, StateSyncs());

        // Several state commits, then one log commit: one sync covers them all, in a group of its own (a transaction).
        await ExecuteAsync(state, "INSERT INTO s (id) VALUES (1);");
        await ExecuteAsync(state, "INSERT INTO s (id) VALUES (2);");
        await ExecuteInTransactionAsync(log, "INSERT INTO l (id) VALUES (2);");
        Assert.Equal(2, StateSyncs());

        // The state file never waits for the log: its own commits sync nothing.
        await ExecuteAsync(state, "INSERT INTO s (id) VALUES (3);");
        Assert.Equal(0, syncs.Count("file=log.db,table_prefix="));
        Assert.Equal(2, StateSyncs());
    }

    [Fact]
    public async Task A_Write_Fails_AndCommitsNothing_WhenTheOtherFileCannotBeSynced()
    {
        // A directory where the other file's WAL would be: opening it for the sync fails.
        var other = Path.Combine(_root, "state.db");
        Directory.CreateDirectory(other + "-wal");
        var path = Path.Combine(_root, "log.db");
        using var log = new SqliteDatabase(new SqliteStorageOptions { DataSource = path, SyncBeforeCommit = other });

        // A lone statement (it commits itself) and a write in a transaction both wait for the sync, and fail with it.
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ExecuteAsync(log, "CREATE TABLE l (id INTEGER PRIMARY KEY);"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ExecuteInTransactionAsync(log, "CREATE TABLE l (id INTEGER PRIMARY KEY);"));
        Assert.Equal(0L, await CountTablesAsync(log));

        // Once the other file can be synced (here: it has no WAL, so nothing to sync), the same writes go through.
        Directory.Delete(other + "-wal");
        await ExecuteAsync(log, "CREATE TABLE l (id INTEGER PRIMARY KEY);");
        Assert.Equal(1L, await CountTablesAsync(log));
    }

    private static Task<int> ExecuteAsync(SqliteDatabase database, string sql) =>
        database.WriteStatementAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, sql, ct), Ct);

    private static Task<int> ExecuteInTransactionAsync(SqliteDatabase database, string sql) =>
        database.WriteAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, sql, ct), Ct);

    // Disposed here: a command left to the finalizer keeps its statement prepared on the write connection until a GC.
    private static async Task<int> ExecuteAsync(SqliteDatabase database, SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = database.CreateCommand(connection, sql, transaction);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> CountTablesAsync(SqliteDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table';";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
