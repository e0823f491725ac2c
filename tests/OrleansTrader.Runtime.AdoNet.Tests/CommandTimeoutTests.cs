using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class CommandTimeoutTests(PostgresDatabaseFixture postgres) : IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SqliteWrite_FailsWithinTimeouts_WhenAnotherConnectionHoldsTheWriteLock()
    {
        var path = Path.Combine(_root, "locked.db");
        using var database = new SqliteDatabase(new SqliteStorageOptions
        {
            DataSource = path,
            CommandTimeout = TimeSpan.FromSeconds(1),
            BusyTimeout = TimeSpan.FromMilliseconds(500),
        });
        var storage = new SqliteGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);

        // Another "process": its own unpooled connection holding the write lock.
        await using var blocker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await blocker.OpenAsync(Ct);
        await using var transaction = blocker.BeginTransaction(deferred: false);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<SqliteException>(() => storage.WriteStateAsync(
            "s", GrainId.Create("Tests.Account", "ACC-1"), new GrainState<TestState>(new TestState("blocked", 1m, 1)), Ct));

        Assert.Equal(5, error.SqliteErrorCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task PostgresCommand_FailsAfterCommandTimeout_WhenStatementRunsLonger()
    {
        await using var database = new PostgresDatabase(new PostgresStorageOptions
        {
            ConnectionString = postgres.ConnectionString,
            CommandTimeout = TimeSpan.FromSeconds(1),
        });
        await using var command = database.CreateCommand("SELECT pg_sleep(30);");
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteNonQueryAsync(Ct));

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
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
