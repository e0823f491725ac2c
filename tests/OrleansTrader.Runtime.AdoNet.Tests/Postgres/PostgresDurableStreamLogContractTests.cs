namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class PostgresDurableStreamLogContractTests(PostgresDatabaseFixture fixture)
    : DurableStreamLogContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<IDurableStreamLog> OpenLogAsync()
    {
        var log = new PostgresDurableStreamLog(fixture.Open());
        await log.InitializeAsync(TestContext.Current.CancellationToken);
        return log;
    }

    [Fact]
    public async Task AppendAsync_ReportsTheStoredEvents_WhenCanceledWhileCommitting()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        await using var database = ThroughProxy(proxy);
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(ct);
        var stream = StreamId.Create("pg-cancel-commit", Guid.NewGuid().ToString("N"));

        using var caller = new CancellationTokenSource();
        proxy.HoldReplyTo("COMMIT\0");
        var append = log.AppendAsync(stream, [new ReadOnlyMemory<byte>([1, 2, 3])], DateTimeOffset.UnixEpoch, caller.Token);
        await proxy.Held.WaitAsync(ct);
        await caller.CancelAsync();
        proxy.Release();
        var appended = await append.WaitAsync(ct);

        var stored = await log.ReadStreamAsync(stream, 0, 10, ct);
        Assert.Equal([1L], stored.Select(e => e.Sequence));
        Assert.Equal(stored[0].Position, Assert.Single(appended).Position);
    }

    [Fact]
    public async Task SaveCheckpointsAsync_Succeeds_WhenCanceledWhileCommitting()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var proxy = new ReplyHoldingProxy(fixture.ConnectionString);
        await using var database = ThroughProxy(proxy);
        var log = new PostgresDurableStreamLog(database);
        await log.InitializeAsync(ct);
        var stream = StreamId.Create("pg-cancel-commit", Guid.NewGuid().ToString("N"));

        using var caller = new CancellationTokenSource();
        proxy.HoldReplyTo("COMMIT\0");
        var save = log.SaveCheckpointsAsync([new StreamCheckpoint(stream, "consumer", 7)], caller.Token);
        await proxy.Held.WaitAsync(ct);
        await caller.CancelAsync();
        proxy.Release();
        await save.WaitAsync(ct);

        Assert.Equal(7, await log.GetCheckpointAsync(stream, "consumer", ct));
    }

    /// <summary>
    /// A database reached through <paramref name="proxy"/>. Cancellation Timeout=-1 makes a cancelled client give up
    /// on the reply at once: what it does by default once a reply is 2 s late after the cancel.
    /// </summary>
    private PostgresDatabase ThroughProxy(ReplyHoldingProxy proxy)
    {
        var options = fixture.Options();
        options.ConnectionString = proxy.ConnectionString + ";Cancellation Timeout=-1";
        return new PostgresDatabase(options);
    }
}
