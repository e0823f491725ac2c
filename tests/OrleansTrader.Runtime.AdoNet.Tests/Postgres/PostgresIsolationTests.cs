using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// A database whose default isolation is stricter than READ COMMITTED (ALTER DATABASE ... SET
/// default_transaction_isolation): the providers' conditional writes rely on READ COMMITTED re-checking a row a concurrent
/// writer changed, so they must run at that level whatever the database default is.
/// The class has its own fixture, so the changed default reaches no other test.
/// </summary>
public sealed class PostgresIsolationTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteStateAsync_ThrowsInconsistentState_WhenAConcurrentWriteCommitsFirst_AndTheDatabaseDefaultsToRepeatableRead()
    {
        await using var database = await OpenRepeatableReadDatabaseAsync();
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        var grain = GrainId.Create("Tests.Isolation", Guid.NewGuid().ToString("N"));
        var state = new GrainState<TestState>(new TestState("seed", 0m, 0));
        await storage.WriteStateAsync("s", grain, state, Ct);

        // Another writer with the same ETag is first: its row version is written but not yet committed.
        await using var other = await OpenTransactionAsync(
            $"UPDATE {database.Schema}.grain_state SET version = version + 1 WHERE grain_type = 'Tests.Isolation' AND grain_key = '{grain.Key}';");
        var write = storage.WriteStateAsync("s", grain, state, Ct);
        await WaitUntilBlockedAsync();
        await other.Transaction.CommitAsync(Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => write);
    }

    private async Task<OpenTransaction> OpenTransactionAsync(string sql)
    {
        // Handed to the caller's await using only once the statement ran: a failure before that closes it here.
        var connection = new NpgsqlConnection(fixture.ConnectionString);
        try
        {
            await connection.OpenAsync(Ct);
            var transaction = await connection.BeginTransactionAsync(Ct);
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 30 };
            await command.ExecuteNonQueryAsync(Ct);
            return new OpenTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until a session of the database waits for a lock: the provider's statement is blocked behind the open transaction.</summary>
    private async Task WaitUntilBlockedAsync()
    {
        var databaseName = new NpgsqlConnectionStringBuilder(fixture.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock';", connection) { CommandTimeout = 30 };
        command.Parameters.AddWithValue("db", databaseName!);
        while ((long)(await command.ExecuteScalarAsync(Ct))! == 0)
        {
            await Task.Delay(10, Ct);
        }
    }

    private sealed record OpenTransaction(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>Sets the fixture database's default isolation to REPEATABLE READ and opens a new pool, whose sessions start with it.</summary>
    private async Task<PostgresDatabase> OpenRepeatableReadDatabaseAsync()
    {
        var databaseName = new NpgsqlConnectionStringBuilder(fixture.ConnectionString).Database;
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var alter = new NpgsqlCommand(
                $"ALTER DATABASE {databaseName} SET default_transaction_isolation = 'repeatable read';", connection) { CommandTimeout = 30 };
            await alter.ExecuteNonQueryAsync(Ct);
        }

        return new PostgresDatabase(fixture.Options());
    }
}
