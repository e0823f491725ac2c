using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// An append holds its namespace's advisory lock until it commits. Advisory locks are per database, not per schema, so
/// a lock keyed on the namespace alone made two deployments in different schemas of one database wait for each other's
/// appends to their own tables (and one whose append hung held up the other's for as long).
/// </summary>
public sealed class PostgresStreamNamespaceLockTests(PostgresDatabaseFixture fixture) : IClassFixture<PostgresDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAppendHoldingTheNamespaceLock_HoldsUpAppendsToItsOwnSchemaOnly()
    {
        var stream = StreamId.Create("pg-namespace-lock", "one");
        var inA = await OpenLogAsync("ns_lock_a");
        var inB = await OpenLogAsync("ns_lock_b");
        var inAByAnotherCase = await OpenLogAsync("NS_Lock_A");
        await inA.AppendAsync(stream, [new ReadOnlyMemory<byte>([1])], DateTimeOffset.UnixEpoch, Ct);

        // Schema A's stream head row locked elsewhere: A's next append takes the namespace lock, then waits on the row.
        await using var rowHolder = await OpenUnpooledAsync();
        await using var rowLock = await rowHolder.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand(
            "SELECT last_sequence FROM ns_lock_a.stream_heads WHERE stream_namespace = @ns FOR UPDATE;", rowHolder, rowLock) { CommandTimeout = 30 })
        {
            lockRow.Parameters.Add(new NpgsqlParameter<string>("ns", stream.Namespace));
            Assert.Equal(1L, await lockRow.ExecuteScalarAsync(Ct));
        }

        await using var observer = await OpenUnpooledAsync();
        var heldInA = inA.AppendAsync(stream, [new ReadOnlyMemory<byte>([2])], DateTimeOffset.UnixEpoch, Ct);
        while (await NamespaceLocksAsync(observer, granted: true) == 0)
        {
            await Task.Delay(10, Ct);
        }

        // Schema B has tables of its own: its append does not wait for A's lock.
        var inOtherSchema = inB.AppendAsync(stream, [new ReadOnlyMemory<byte>([3])], DateTimeOffset.UnixEpoch, Ct);
        var waitedInB = await WaitsForTheNamespaceLockAsync(observer, inOtherSchema);
        Assert.False(waitedInB, "The append in schema ns_lock_b waited for the namespace lock held by an append in schema ns_lock_a.");
        Assert.Equal(1L, Assert.Single(await inOtherSchema).Sequence);

        // "NS_Lock_A" is schema A's tables, so it is A's lock too.
        var inSameSchema = inAByAnotherCase.AppendAsync(stream, [new ReadOnlyMemory<byte>([4])], DateTimeOffset.UnixEpoch, Ct);
        Assert.True(await WaitsForTheNamespaceLockAsync(observer, inSameSchema), "The append configured as NS_Lock_A did not wait for schema ns_lock_a's namespace lock.");

        await rowLock.CommitAsync(Ct);
        Assert.Equal(2L, Assert.Single(await heldInA).Sequence);
        Assert.Equal(3L, Assert.Single(await inSameSchema).Sequence);
    }

    private async Task<PostgresDurableStreamLog> OpenLogAsync(string schema)
    {
        var log = new PostgresDurableStreamLog(fixture.Open(schema));
        await log.InitializeAsync(Ct);
        return log;
    }

    private async Task<NpgsqlConnection> OpenUnpooledAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(Ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether <paramref name="append"/> came to wait for a namespace lock (true) or completed without (false).</summary>
    private static async Task<bool> WaitsForTheNamespaceLockAsync(NpgsqlConnection observer, Task append)
    {
        while (!append.IsCompleted)
        {
            if (await NamespaceLocksAsync(observer, granted: false) > 0)
            {
                return true;
            }

            await Task.Delay(10, Ct);
        }

        return false;
    }

    /// <summary>The stream namespace locks in this database, held or waited for (pg_locks: the two-int form's class is classid).</summary>
    private static async Task<long> NamespaceLocksAsync(NpgsqlConnection observer, bool granted)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND classid = @class::oid AND objsubid = 2 AND granted = @granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
            """, observer) { CommandTimeout = 30 };
        command.Parameters.Add(new NpgsqlParameter<int>("class", PostgresSchema.StreamNamespaceLockClass));
        command.Parameters.Add(new NpgsqlParameter<bool>("granted", granted));
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
