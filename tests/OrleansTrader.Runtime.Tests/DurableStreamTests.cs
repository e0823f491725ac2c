using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>The "durable" provider over a MemoryDurableStreamLog shared across silo restarts.</summary>
public sealed class DurableStreamTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly MemoryDurableStreamLog _log = new();

    [Fact]
    public async Task DurableStream_DeliversEveryEvent_InOrder_ToImplicitSubscriber()
    {
        await using var cluster = await StartAsync();
        var stream = Stream(cluster, "acct-1");

        for (var i = 1; i <= 50; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        var received = await cluster.Probe.WaitForLogAsync("acct-1/received", 50);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"{i}@{i}"), received);
        Assert.Equal(["durable"], cluster.Probe.GetLog("acct-1/activated"));
    }

    [Fact]
    public async Task DurableStream_BatchIsAppendedAtomically_AndDeliveredInOrder()
    {
        await using var cluster = await StartAsync();

        await Stream(cluster, "acct-batch").OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);

        Assert.Equal(["1@1", "2@2", "3@3"], await cluster.Probe.WaitForLogAsync("acct-batch/received", 3));
        Assert.Equal(3, (await _log.ReadStreamAsync(StreamId.Create("durable-events", "acct-batch"), 0, 10, Ct)).Count);
    }

    [Fact]
    public async Task DurableStream_ResumesFromCheckpoint_AfterSiloRestart()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "acct-2");
        await Stream(cluster, "acct-2").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);
        await cluster.Probe.WaitForLogAsync("acct-2/received", 2);
        await cluster.Cluster.StopAllSilosAsync(Ct);

        var serializer = new JsonGrainStateSerializer([TestJsonContext.Default]);
        await _log.AppendAsync(streamId, [serializer.Serialize(new TestEvent(3)), serializer.Serialize(new TestEvent(4))], DateTimeOffset.UnixEpoch, Ct);
        await cluster.Cluster.DeployAsync(Ct);

        Assert.Equal(["1@1", "2@2", "3@3", "4@4"], await cluster.Probe.WaitForLogAsync("acct-2/received", 4));
        Assert.Equal(4, await _log.GetCheckpointAsync(streamId, GrainId.Create(typeof(DurableSubscriberGrain).FullName!, "acct-2").ToString(), Ct));
    }

    [Fact]
    public async Task DurableStream_RedeliversUncheckpointedEvents_AfterCrash()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "acct-crash");
        var consumerId = GrainId.Create(typeof(DurableSubscriberGrain).FullName!, "acct-crash").ToString();
        await Stream(cluster, "acct-crash").OnNextAsync(new TestEvent(1, "block"));
        await cluster.Probe.WaitAsync("acct-crash/entered/1");

        await cluster.Cluster.KillSiloAsync(Ct);
        var checkpointAfterCrash = await _log.GetCheckpointAsync(streamId, consumerId, Ct);
        await cluster.Cluster.DeployAsync(Ct);
        var entered = await cluster.Probe.WaitForLogAsync("acct-crash/block-entered", 2);
        cluster.Probe.Signal("acct-crash/gate/1");

        // The killed silo's grain code is still parked on the same gate (a real crash would have ended it), so both finish.
        Assert.Equal(0, checkpointAfterCrash);
        Assert.Equal(["1", "1"], entered);
        Assert.Equal(["1@1", "1@1"], await cluster.Probe.WaitForLogAsync("acct-crash/received", 2));
    }

    [Fact]
    public async Task DurableStream_RewindsFromToken()
    {
        await using var cluster = await StartAsync();
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("audit", "a1"));
        await stream.OnNextBatchAsync(Enumerable.Range(1, 5).Select(i => new TestEvent(i)));
        var seen = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var handle = await stream.SubscribeAsync((e, token) =>
        {
            seen.Add($"{e.Number}@{token!.SequenceNumber}");
            if (e.Number == 5)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        }, new StreamSequenceToken(3));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await handle.UnsubscribeAsync();

        Assert.Equal(["3@3", "4@4", "5@5"], seen);
    }

    [Fact]
    public async Task DurableStream_WritesDeadLetter_AfterMaxAttempts_AndContinues()
    {
        await using var cluster = await StartAsync();

        await Stream(cluster, "acct-3").OnNextBatchAsync([new TestEvent(1), new TestEvent(2, "poison"), new TestEvent(3)]);

        Assert.Equal(["1@1", "3@3"], await cluster.Probe.WaitForLogAsync("acct-3/received", 2));
        var deadLetters = await _log.ReadDeadLettersAsync(StreamId.Create("durable-events", "acct-3"), Ct);
        var deadLetter = Assert.Single(deadLetters);
        Assert.Equal(2, deadLetter.Sequence);
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal(3, cluster.Probe.Count("acct-3/poison-attempts"));
        Assert.Contains("poison 2", deadLetter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DurableStream_RetriesFailedDelivery_UntilItSucceeds()
    {
        await using var cluster = await StartAsync();

        await Stream(cluster, "acct-4").OnNextBatchAsync([new TestEvent(1, "flaky"), new TestEvent(2)]);

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("acct-4/received", 2));
        Assert.Empty(await _log.ReadDeadLettersAsync(StreamId.Create("durable-events", "acct-4"), Ct));
        Assert.Equal(3, cluster.Probe.Count("acct-4/flaky/1"));
    }

    [Fact]
    public async Task DurableStream_DeliversABacklogInOrderOnceEach_WhenAPoisonEventIsInsideIt()
    {
        await using var cluster = await StartAsync();
        var events = Enumerable.Range(1, 300).Select(i => i == 150 ? new TestEvent(i, "poison") : new TestEvent(i)).ToList();

        await Stream(cluster, "acct-backlog").OnNextBatchAsync(events);

        var expected = Enumerable.Range(1, 300).Where(i => i != 150).Select(i => $"{i}@{i}").ToList();
        Assert.Equal(expected, await cluster.Probe.WaitForLogAsync("acct-backlog/received", 299));
        Assert.Equal(150, Assert.Single(await _log.ReadDeadLettersAsync(StreamId.Create("durable-events", "acct-backlog"), Ct)).Sequence);
        Assert.Equal(3, cluster.Probe.Count("acct-backlog/poison-attempts"));
    }

    [Fact]
    public async Task DurableStream_KeepsDelivering_AfterACursorFailsWhileAWakeIsPending()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.MaxDeliveryAttempts = 3;
            o.RetryDelay = TimeSpan.Zero;
        }));
        var stream = Stream(cluster, "acct-dead-cursor");
        log.Arm(out var entered, out var release);

        // The cursor delivers event 1 and stops in its checkpoint save; event 2 arrives then and only wakes it; the save fails.
        await stream.OnNextAsync(new TestEvent(1));
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stream.OnNextAsync(new TestEvent(2));
        release.SetResult();

        var received = await cluster.Probe.WaitForLogAsync("acct-dead-cursor/received", 3);
        Assert.Equal(["1@1", "1@1", "2@2"], received);
    }

    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", key));

    private Task<IsolatedCluster> StartAsync() =>
        IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.MaxDeliveryAttempts = 3;
            o.RetryDelay = TimeSpan.Zero;
        }));
}
