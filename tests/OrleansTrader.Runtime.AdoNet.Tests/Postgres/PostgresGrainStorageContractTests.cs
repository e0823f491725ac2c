using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresGrainStorageContractTests(PostgresDatabaseFixture fixture)
    : GrainStorageContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        var storage = new PostgresGrainStorage(fixture.Open(), TestJsonSerializer.Instance);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    protected override async Task<long> CountRowsAsync(IGrainStorage storage, GrainId grain)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM public.grain_state WHERE grain_type = @type AND grain_key = @key;", connection);
        command.Parameters.AddWithValue("type", grain.Type.Value);
        command.Parameters.AddWithValue("key", grain.Key);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>
    /// The write found a newer version, so the outcome is a conflict; the read of the stored version after it is only
    /// for the message. Here that read times out (the table is locked meanwhile): the caller must still see the
    /// conflict, which is what makes the runtime reload the grain, not a database error it would take as transient.
    /// </summary>
    [Fact]
    public async Task WriteStateAsync_ThrowsInconsistentState_WhenReadingTheStoredVersionFailsAfterTheConflict()
    {
        var ct = TestContext.Current.CancellationToken;
        var grain = GrainId.Create("Tests.ConflictReadFails", Guid.NewGuid().ToString("N"));
        var direct = await CreateStorageAsync();
        var first = new GrainState<TestState>(new TestState("a", 1m, 1));
        await direct.WriteStateAsync("s", grain, first, ct);
        var stale = new GrainState<TestState>(new TestState("b", 2m, 2)) { ETag = first.ETag, RecordExists = true };
        await direct.WriteStateAsync("s", grain, first, ct);

        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        var options = fixture.Options();
        options.ConnectionString = proxy.ConnectionString;
        options.CommandTimeout = TimeSpan.FromSeconds(1);
        await using var database = new PostgresDatabase(options);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        await storage.InitializeAsync(ct);

        // The locking session is open before the write: between the held reply and its release there is only the lock,
        // well inside the command timeout the held reply counts against (opening a connection there took over 1 s once
        // on a loaded machine, and the held update itself timed out).
        await using var locker = new NpgsqlConnection(fixture.ConnectionString);
        await locker.OpenAsync(ct);
        await using var transaction = await locker.BeginTransactionAsync(ct);

        // The conditional update has run (and found no row at the stale version); before its reply arrives, another
        // session locks the table, so the version read that follows waits until the command timeout.
        proxy.HoldReplyTo("IS NOT NULL RETURNING version");
        var write = storage.WriteStateAsync("s", grain, stale, ct);
        await proxy.Held.WaitAsync(ct);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE public.grain_state IN ACCESS EXCLUSIVE MODE;", locker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(ct);
        }

        proxy.Release();
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => write);
        await transaction.RollbackAsync(ct);

        Assert.Null(error.StoredETag);
        Assert.Equal(stale.ETag, error.CurrentETag);
    }

    /// <summary>
    /// Guard: a write PostgreSQL committed whose reply never reaches the caller fails with the driver's error (its
    /// outcome is unknown to the caller) and leaves the ETag as it was. The stored record is the written one, and the
    /// grain's next write conflicts with it, which makes the runtime reload the grain: nothing lost, nothing written twice.
    /// </summary>
    [Fact]
    public async Task WriteStateAsync_FailsAndKeepsTheETag_WhenTheReplyIsLostAfterTheCommit_AndTheNextWriteConflicts()
    {
        var ct = TestContext.Current.CancellationToken;
        var grain = GrainId.Create("Tests.ReplyLost", Guid.NewGuid().ToString("N"));
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        var options = fixture.Options();
        options.ConnectionString = proxy.ConnectionString + ";Cancellation Timeout=-1";
        options.CommandTimeout = TimeSpan.FromSeconds(1);
        await using var database = new PostgresDatabase(options);
        var storage = new PostgresGrainStorage(database, TestJsonSerializer.Instance);
        var state = new GrainState<TestState>(new TestState("a", 1m, 1));
        await storage.WriteStateAsync("s", grain, state, ct);
        var before = state.ETag;

        state.State = new TestState("b", 2m, 2);
        proxy.HoldReplyTo("IS NOT NULL RETURNING version");
        var lost = storage.WriteStateAsync("s", grain, state, ct);
        await proxy.Held.WaitAsync(ct); // the server has committed and replied
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => lost);

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(before, state.ETag);
        var stored = new GrainState<TestState>(new TestState("", 0m, 0));
        await (await CreateStorageAsync()).ReadStateAsync("s", grain, stored, ct);
        Assert.Equal(new TestState("b", 2m, 2), stored.State);

        state.State = new TestState("c", 3m, 3);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", grain, state, ct));
        Assert.Equal(stored.ETag, conflict.StoredETag);
        Assert.Equal(before, conflict.CurrentETag);

        // The reload the conflict causes: the grain goes on from the committed write.
        await storage.ReadStateAsync("s", grain, state, ct);
        Assert.Equal(new TestState("b", 2m, 2), state.State);
        state.State = new TestState("c", 3m, 3);
        await storage.WriteStateAsync("s", grain, state, ct);
        Assert.Equal(VersionETag.Format(3), state.ETag);
    }
}
