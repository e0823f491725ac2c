using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// A client that vanishes without closing its connection (half-open TCP) leaves its transaction open on the server,
/// and with it the locks it took. The providers' sessions bound that with idle_in_transaction_session_timeout.
/// </summary>
public sealed class PostgresIdleInTransactionTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppendAsync_Succeeds_WhenAnAbandonedTransactionHoldsTheNamespaceLock()
    {
        var options = fixture.Options();
        options.IdleInTransactionTimeout = TimeSpan.FromSeconds(1);
        await using var database = new PostgresDatabase(options);
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(Ct);
        var stream = StreamId.Create("pg-abandoned", Guid.NewGuid().ToString("N"));

        // An appender whose network died mid-append: it holds the namespace lock and never sends another byte.
        await using var abandoned = await database.OpenConnectionAsync(Ct);
        await using var transaction = await abandoned.BeginTransactionAsync(Ct);
        await using (var lockNamespace = log.LockNamespaceCommand(abandoned, transaction, stream.Namespace))
        {
            await lockNamespace.ExecuteNonQueryAsync(Ct);
        }

        // Without the bound this append waits for the lock until its command timeout (30 s) and fails.
        var appended = await log.AppendAsync(stream, [new ReadOnlyMemory<byte>([1])], DateTimeOffset.UnixEpoch, Ct);

        Assert.Equal(1L, Assert.Single(appended).Sequence);
        await using var next = database.CreateCommand(abandoned, "SELECT 1;", transaction);
        var ended = await Assert.ThrowsAsync<PostgresException>(() => next.ExecuteScalarAsync(Ct));
        Assert.Equal("25P03", ended.SqlState); // idle_in_transaction_session_timeout
    }
}
