using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class SqliteHealthCheckTests : IDisposable
{
    private const int SqliteFull = 13;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_TurnsUnhealthy_WhileWritesFailForAFullDisk_AndHealthyOnceAWriteGoesThroughAgain()
    {
        // A silo on SQLite whose disk filled answered every command 503 STORAGE_UNAVAILABLE while /health/ready kept
        // answering Healthy: its SELECT 1 still read. Readiness must say that the store no longer takes writes.
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "full.db") });
        var check = new SqliteHealthCheck(database);
        await database.WriteAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, "CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB);", ct), Ct);
        await database.WriteAsync((connection, transaction, ct) => InsertAsync(database, connection, transaction, 1, ct), Ct);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);

        // The write connection may not grow the file any more: SQLite answers as on a full disk.
        await database.WriteAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, "PRAGMA max_page_count = 1;", ct), Ct);
        var full = await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync((connection, transaction, ct) => InsertAsync(database, connection, transaction, 2, ct), Ct));
        Assert.Equal(SqliteFull, full.SqliteErrorCode);

        var failing = await CheckAsync(check);
        Assert.Equal(HealthStatus.Unhealthy, failing.Status);
        Assert.Contains("database or disk is full", failing.Description, StringComparison.Ordinal);

        // Space again (a fresh write connection has no page limit): the next write that goes through makes it ready.
        await database.WriteAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, "PRAGMA max_page_count = 1073741823;", ct), Ct);
        await database.WriteAsync((connection, transaction, ct) => InsertAsync(database, connection, transaction, 3, ct), Ct);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Readiness_StaysHealthy_WhenAWriteFailsForItsOwnReason()
    {
        // A constraint violation is the write's fault, not the store's: the store still takes writes.
        using var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = Path.Combine(_root, "constraint.db") });
        var check = new SqliteHealthCheck(database);
        await database.WriteAsync((connection, transaction, ct) => ExecuteAsync(database, connection, transaction, "CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB);", ct), Ct);
        await database.WriteAsync((connection, transaction, ct) => InsertAsync(database, connection, transaction, 1, ct), Ct);

        await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync((connection, transaction, ct) => InsertAsync(database, connection, transaction, 1, ct), Ct));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
    }

    private static Task<HealthCheckResult> CheckAsync(SqliteHealthCheck check) =>
        check.CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("sqlite", check, HealthStatus.Unhealthy, tags: null) },
            Ct);

    private static async Task<int> ExecuteAsync(SqliteDatabase database, SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = database.CreateCommand(connection, sql, transaction);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> InsertAsync(SqliteDatabase database, SqliteConnection connection, SqliteTransaction? transaction, int id, CancellationToken ct)
    {
        // Bigger than a page, so the row needs pages the file does not have yet.
        await using var command = database.CreateCommand(connection, "INSERT INTO t (id, payload) VALUES (@id, zeroblob(65536));", transaction);
        command.Parameters.AddWithValue("@id", id);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
