using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// A subscriber turn that runs longer than the response timeout (30 s) is slow, not failed: the cursor waits for it, does
/// not send the events again behind it, and counts no attempt against them. The silo's clock is fake; a test moves it.
/// </summary>
public sealed class DurableStreamLongTurnTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan PastResponseTimeout = TimeSpan.FromSeconds(31);
    private readonly MemoryDurableStreamLog _log = new();

    [Fact]
    public async Task ABatchTurnOutlastingTheResponseTimeout_IsWaitedFor_NotRedeliveredNorDeadLettered()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "long-batch");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await stream.OnNextBatchAsync([new TestEvent(1, "block"), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitAsync("long-batch/entered/1");

        // The batch's turn outlives more response timeouts than MaxDeliveryAttempts (3) allows, then ends well.
        for (var i = 0; i < 4; i++)
        {
            cluster.Time.Advance(PastResponseTimeout);
        }

        cluster.Probe.Signal("long-batch/gate/1");
        await stream.OnNextAsync(new TestEvent(4));

        Assert.Equal(["1@1", "2@2", "3@3", "4@4"], await cluster.Probe.WaitForLogAsync("long-batch/received", 4));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
        Assert.Equal(["OnNextDurableBatch", "OnNext"], cluster.Probe.GetLog("long-batch/stream-calls"));
        await cluster.Cluster.StopAllSilosAsync(Ct);
        Assert.Equal(4, await _log.GetCheckpointAsync(streamId, ConsumerId("long-batch"), Ct));
    }

    [Fact]
    public async Task ASingleEventTurnOutlastingTheResponseTimeout_IsWaitedFor_NotRetriedNorDeadLettered()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "long-single");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await stream.OnNextAsync(new TestEvent(1, "block"));
        await cluster.Probe.WaitAsync("long-single/entered/1");

        for (var i = 0; i < 4; i++)
        {
            cluster.Time.Advance(PastResponseTimeout);
        }

        cluster.Probe.Signal("long-single/gate/1");
        await stream.OnNextAsync(new TestEvent(2));

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("long-single/received", 2));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
        Assert.Equal(["OnNext", "OnNext"], cluster.Probe.GetLog("long-single/stream-calls"));
    }

    [Fact]
    public async Task ADeliveryTimedOutWhileStillQueued_IsSentAgainOnce_WithoutSpendingAnAttempt()
    {
        await using var cluster = await StartAsync(silo => silo.AddIncomingGrainCallFilter<StreamGateFilter>());
        var streamId = StreamId.Create("durable-events", "long-queued");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        cluster.Probe.SetFlag("long-queued/hold-stream", true);
        await stream.OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitAsync("long-queued/stream-held");

        // The filter holds the turn before the delivery starts: each timeout finds the delivery not yet run.
        for (var i = 0; i < 4; i++)
        {
            cluster.Time.Advance(PastResponseTimeout);
        }

        cluster.Probe.Signal("long-queued/stream-gate");
        await stream.OnNextAsync(new TestEvent(2));

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("long-queued/received", 2));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
    }

    [Fact]
    public async Task ALongTurnCutShortByACrash_IsRedeliveredByTheNextSilo()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "long-crash");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await stream.OnNextBatchAsync([new TestEvent(1, "block"), new TestEvent(2)]);
        await cluster.Probe.WaitAsync("long-crash/entered/1");
        cluster.Time.Advance(PastResponseTimeout);

        await cluster.Cluster.KillSiloAsync(Ct);
        var checkpointAfterCrash = await _log.GetCheckpointAsync(streamId, ConsumerId("long-crash"), Ct);
        await cluster.Cluster.DeployAsync(Ct);
        await cluster.Probe.WaitForLogAsync("long-crash/block-entered", 2);
        cluster.Probe.Signal("long-crash/gate/1");

        // The killed silo's grain code is still parked on the same gate (a real crash would have ended it), so it takes
        // event 1 too; the next silo delivers both events again, and nothing was counted against them.
        var received = await cluster.Probe.WaitForLogAsync("long-crash/received", 3);
        Assert.Equal(0, checkpointAfterCrash);
        Assert.Equal(["1@1", "1@1", "2@2"], received.Order(StringComparer.Ordinal));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
    }

    private static string ConsumerId(string key) => GrainId.Create(typeof(DurableSubscriberGrain).FullName!, key).ToString();

    private Task<IsolatedCluster> StartAsync(Action<ISiloBuilder>? configure = null) =>
        IsolatedCluster.StartAsync(silo =>
        {
            silo.AddDurableStreams("durable", _ => _log, o =>
            {
                o.MaxDeliveryAttempts = 3;
                o.RetryDelay = TimeSpan.Zero;
            });
            silo.AddIncomingGrainCallFilter<StreamDeliveryFilter>();
            configure?.Invoke(silo);
        });
}
