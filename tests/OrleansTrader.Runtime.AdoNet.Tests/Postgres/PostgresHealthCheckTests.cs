using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// A PostgreSQL server that still answers reads but refuses writes (a hot standby after a failover, a server its host
/// turned read-only because its storage is nearly full, a full tablespace) fails every command with 503
/// STORAGE_UNAVAILABLE, while its SELECT 1 goes on answering. Readiness must say that the store no longer takes writes.
/// </summary>
public sealed class PostgresHealthCheckTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private const string ReadOnlySqlTransaction = "25006";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_TurnsUnhealthy_WhileTheServerRefusesWrites_AndHealthyOnceAWriteGoesThroughAgain()
    {
        await using var database = new PostgresDatabase(UnpooledOptions("read_only"));
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);
        var check = new PostgresHealthCheck(database);
        var grain = GrainId.Create("Tests.ReadOnlyServer", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync("s", grain, state, Ct);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);

        await SetDatabaseReadOnlyAsync(true);
        try
        {
            state.State = new TestState("b", 2m, 2);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => storage.WriteStateAsync("s", grain, state, Ct));
            Assert.Equal(ReadOnlySqlTransaction, refused.SqlState);

            var failing = await CheckAsync(check);
            Assert.Equal(HealthStatus.Unhealthy, failing.Status);
            Assert.Contains("read-only transaction", failing.Description, StringComparison.Ordinal);

            // Still refused on the next check: nothing but a write that goes through clears it.
            Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);
        }
        finally
        {
            await SetDatabaseReadOnlyAsync(false);
        }

        await storage.WriteStateAsync("s", grain, state, Ct);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Readiness_StaysHealthy_WhenAWriteFailsForItsOwnReason()
    {
        // A stale ETag is the write's fault, not the store's: the store still takes writes.
        await using var database = new PostgresDatabase(UnpooledOptions("own_reason"));
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(Ct);
        var check = new PostgresHealthCheck(database);
        var grain = GrainId.Create("Tests.OwnReason", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync("s", grain, state, Ct);
        var stale = new GrainState<TestState>(new TestState("b", 2m, 2)) { ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync("s", grain, state, Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", grain, stale, Ct));

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Readiness_TurnsUnhealthy_WhenTheServerRefusesAStreamAppend()
    {
        // The order events an account appends go to the stream log, not the grain state table.
        await using var database = new PostgresDatabase(UnpooledOptions("read_only_streams"));
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(Ct);
        var check = new PostgresHealthCheck(database);
        var stream = StreamId.Create("pg-read-only", Guid.NewGuid().ToString("N"));
        await log.AppendAsync(stream, [new ReadOnlyMemory<byte>([1])], DateTimeOffset.UnixEpoch, Ct);

        await SetDatabaseReadOnlyAsync(true);
        try
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => log.AppendAsync(stream, [new ReadOnlyMemory<byte>([2])], DateTimeOffset.UnixEpoch, Ct));
            Assert.Equal(ReadOnlySqlTransaction, refused.SqlState);
            Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);
        }
        finally
        {
            await SetDatabaseReadOnlyAsync(false);
        }

        await log.AppendAsync(stream, [new ReadOnlyMemory<byte>([3])], DateTimeOffset.UnixEpoch, Ct);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
    }

    [Fact]
    public async Task Readiness_StaysHealthy_WhenTheServerEndedThePoolsIdleSessions()
    {
        // pg_terminate_backend, an idle_session_timeout or a proxy ends idle pooled sessions; the pool hands them out
        // again and the first command on each fails with 57P01. The database still answers on a new connection.
        var options = fixture.Options("idle_sessions_ended");
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { ApplicationName = "idle-sessions-ended" }.ConnectionString;
        await using var database = new PostgresDatabase(options);
        var check = new PostgresHealthCheck(database);
        // Two sessions at once, both idle in the pool once returned (also when the second cannot be opened).
        await using (var first = await database.OpenConnectionAsync(Ct))
        {
            await using var second = await database.OpenConnectionAsync(Ct);
        }

        Assert.Equal(2, await fixture.TerminateSessionsAsync("idle-sessions-ended"));

        var result = await CheckAsync(check);

        Assert.Equal((HealthStatus.Healthy, "PostgreSQL answers."), (result.Status, result.Description));
    }

    [Theory]
    [InlineData("25006", true)] // read_only_sql_transaction: a hot standby, or a server set read-only
    [InlineData("53100", true)] // disk_full
    [InlineData("53200", true)] // out_of_memory
    [InlineData("58030", true)] // io_error
    [InlineData("XX001", true)] // data_corrupted
    [InlineData("XX002", true)] // index_corrupted
    [InlineData("42501", true)] // insufficient_privilege: the role may no longer write the tables
    [InlineData("23505", false)] // unique_violation
    [InlineData("40001", false)] // serialization_failure
    [InlineData("40P01", false)] // deadlock_detected
    [InlineData("57014", false)] // query_canceled
    [InlineData("XX000", false)] // internal_error: not the store's state as such
    public void IsStoreFault_TellsTheStoresRefusalsFromTheWritesOwnFailures(string sqlState, bool storeFault) =>
        Assert.Equal(storeFault, PostgresDatabase.IsStoreFault(sqlState));

    [Theory]
    [InlineData("57P01", true)] // admin_shutdown: pg_terminate_backend, or a fast server shutdown
    [InlineData("57P02", true)] // crash_shutdown
    [InlineData("08006", true)] // connection_failure
    [InlineData("25006", false)] // read-only: the server answered and refused
    [InlineData("42501", false)] // insufficient_privilege
    [InlineData("57014", false)] // query_canceled: a timeout, not a dropped session
    public void IsDroppedConnection_TellsAnEndedSessionFromTheServersRefusal(string sqlState, bool dropped) =>
        Assert.Equal(dropped, PostgresDatabase.IsDroppedConnection(new PostgresException("test", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void IsDroppedConnection_CountsABrokenSocket_NotATimeout()
    {
        Assert.True(PostgresDatabase.IsDroppedConnection(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.False(PostgresDatabase.IsDroppedConnection(new NpgsqlException("Exception while reading from stream", new TimeoutException())));
    }

    /// <summary>
    /// Each command opens its own session, so a database-level default set meanwhile applies to the next command, as it
    /// does to a pool's new connections on a server that turned read-only. A schema of the test's own.
    /// </summary>
    private PostgresStorageOptions UnpooledOptions(string schema)
    {
        var options = fixture.Options(schema);
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false }.ConnectionString;
        return options;
    }

    /// <summary>The database's default for new sessions, as a server turned read-only sets it.</summary>
    private async Task SetDatabaseReadOnlyAsync(bool readOnly)
    {
        // A session of its own that is not read-only whatever the database's default, so it can set it back.
        var admin = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Pooling = false, Options = "-c default_transaction_read_only=off" };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"ALTER DATABASE {admin.Database} SET default_transaction_read_only = {(readOnly ? "on" : "off")};", connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static Task<HealthCheckResult> CheckAsync(PostgresHealthCheck check) =>
        check.CheckHealthAsync(
            new HealthCheckContext { Registration = new HealthCheckRegistration("postgres", check, HealthStatus.Unhealthy, tags: null) },
            Ct);
}
