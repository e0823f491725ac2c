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

        // The conditional update has run (and found no row at the stale version); before its reply arrives, another
        // session locks the table, so the version read that follows waits until the command timeout.
        proxy.HoldReplyTo("IS NOT NULL RETURNING version");
        var write = storage.WriteStateAsync("s", grain, stale, ct);
        await proxy.Held.WaitAsync(ct);
        await using var locker = new NpgsqlConnection(fixture.ConnectionString);
        await locker.OpenAsync(ct);
        await using var transaction = await locker.BeginTransactionAsync(ct);
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
}
