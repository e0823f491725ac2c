using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// The durable provider's retention: every trim interval of the silo's (fake) clock it trims the log of acknowledged
/// events older than the retention, and a failing trim is retried on the next interval without hurting delivery.
/// </summary>
public sealed class DurableStreamRetentionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private readonly MemoryDurableStreamLog _memory = new();
    private readonly CountingDurableStreamLog _log;

    public DurableStreamRetentionTests() => _log = new CountingDurableStreamLog(_memory);

    [Fact]
    public async Task Trimmer_RunsEveryInterval_AndDeletesAcknowledgedEvents_OnceOlderThanTheRetention()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "retained");
        var start = cluster.Time.GetUtcNow();
        await Stream(cluster, "retained").OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitForLogAsync("retained/received", 3);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("retained"), Ct) == 3, "the checkpoint");

        // Retention is an hour: the trims at 10..60 minutes find the events too recent, the one at 70 deletes them.
        for (var tick = 1; tick <= 7; tick++)
        {
            cluster.Time.Advance(Interval);
            await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= tick), $"trim {tick}");
            await Provider(cluster).LastTrim;
            var retained = (await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Count;
            Assert.Equal(tick < 7 ? 3 : 0, retained);
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => start + (Interval * i) - TimeSpan.FromHours(1)), _log.Trims);

        // Appends after the trim continue the stream's sequence and are delivered as usual.
        await Stream(cluster, "retained").OnNextAsync(new TestEvent(4));
        Assert.Equal(["1@1", "2@2", "3@3", "4@4"], await cluster.Probe.WaitForLogAsync("retained/received", 4));
    }

    [Fact]
    public async Task Trimmer_Failure_IsRetriedNextInterval_AndDeliveryGoesOn()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "trim-fails");
        await Stream(cluster, "trim-fails").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("trim-fails/received", 1);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("trim-fails"), Ct) == 1, "the checkpoint");
        _log.FailTrims = true;

        cluster.Time.Advance(TimeSpan.FromHours(1) + Interval);
        await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= 1), "the failing trim");
        await Provider(cluster).LastTrim;
        var afterFailure = (await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Count;
        await Stream(cluster, "trim-fails").OnNextAsync(new TestEvent(2));
        await cluster.Probe.WaitForLogAsync("trim-fails/received", 2);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("trim-fails"), Ct) == 2, "the second checkpoint");
        _log.FailTrims = false;
        var trimsBefore = _log.Trims.Count;
        cluster.Time.Advance(Interval);
        await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count > trimsBefore), "the retried trim");
        await Provider(cluster).LastTrim;

        Assert.Equal(1, afterFailure);
        Assert.Equal([2L], (await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Select(e => e.Sequence));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(60, 0)]
    [InlineData(-1, 10)]
    public async Task Options_RejectARetentionOrTrimIntervalThatIsNotPositive(int retentionMinutes, int intervalMinutes)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.Retention = TimeSpan.FromMinutes(retentionMinutes);
            o.TrimInterval = TimeSpan.FromMinutes(intervalMinutes);
        })));

        Assert.IsType<ArgumentOutOfRangeException>(error.GetBaseException());
    }

    /// <summary>
    /// A client subscription's consumer id is unique to its handle and never comes back, yet its checkpoint stays in the
    /// log after it unsubscribes: retention keeps every event past that checkpoint forever (the lowest checkpoint of the
    /// stream), although every remaining consumer acknowledged them. The log of such a stream grows without bound.
    /// </summary>
    [Fact]
    public async Task Retention_AfterAClientUnsubscribes_TrimsWhatEveryRemainingConsumerAcknowledged()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "client-left");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var seen = 0;
        var handle = await stream.SubscribeAsync((_, _) =>
        {
            Interlocked.Increment(ref seen);
            return Task.CompletedTask;
        });

        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitForLogAsync("client-left/received", 3);
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref seen) == 3), "the client's deliveries");
        await handle.UnsubscribeAsync();

        // Events after the client left: only the implicit subscriber consumes (and acknowledges) them.
        await stream.OnNextBatchAsync([new TestEvent(4), new TestEvent(5), new TestEvent(6)]);
        await cluster.Probe.WaitForLogAsync("client-left/received", 6);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("client-left"), Ct) == 6, "the checkpoint");

        for (var tick = 1; tick <= 7; tick++)
        {
            cluster.Time.Advance(Interval);
            await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= tick), $"trim {tick}");
            await Provider(cluster).LastTrim;
        }

        Assert.Empty((await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Select(e => e.Sequence));
    }

    /// <summary>
    /// A grain that unsubscribed its last subscription is no consumer of the stream any more, yet its checkpoint stayed in
    /// the log: retention kept every event after it forever, although every remaining consumer acknowledged them.
    /// </summary>
    [Fact]
    public async Task Retention_AfterAGrainUnsubscribes_TrimsWhatEveryRemainingConsumerAcknowledged()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create(StoredSubscriberGrain.Namespace, "grain-left");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var leaving = cluster.Client.GetGrain<IStoredSubscriberGrain>("grain-left~leaving");
        await leaving.Subscribe();
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("grain-left~staying").Subscribe();

        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitForLogAsync("grain-left~leaving/received", 3);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, StoredConsumerId("grain-left~leaving"), Ct) == 3, "the leaving checkpoint");
        await leaving.UnsubscribeAll();

        // Events after the grain left: only the staying subscriber consumes (and acknowledges) them.
        await stream.OnNextBatchAsync([new TestEvent(4), new TestEvent(5), new TestEvent(6)]);
        await cluster.Probe.WaitForLogAsync("grain-left~staying/received", 6);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, StoredConsumerId("grain-left~staying"), Ct) == 6, "the staying checkpoint");

        for (var tick = 1; tick <= 7; tick++)
        {
            cluster.Time.Advance(Interval);
            await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= tick), $"trim {tick}");
            await Provider(cluster).LastTrim;
        }

        Assert.Empty((await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Select(e => e.Sequence));
        Assert.Equal(["1@1", "2@2", "3@3"], cluster.Probe.GetLog("grain-left~leaving/received"));
    }

    /// <summary>
    /// A consumer still busy with its first event has stored no checkpoint yet: the trim took the lowest checkpoint of the
    /// others as acknowledged by all, deleted the events the slow consumer had not read, and it went on after them without
    /// a dead letter.
    /// </summary>
    [Fact]
    public async Task Retention_KeepsTheEvents_OfAConsumerThatHasNotCheckpointedYet()
    {
        // Batches of one read from the log: the slow consumer's next events are still to be read when the trims run.
        await using var cluster = await StartAsync(o =>
        {
            o.ReadBatchSize = 1;
            o.TailEventsPerStream = 0;
        });
        var streamId = StreamId.Create("durable-events", "slow-client");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        var handle = await stream.SubscribeAsync(async (e, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            lock (seen)
            {
                seen.Add(e.Number);
            }
        });

        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await cluster.Probe.WaitForLogAsync("slow-client/received", 3);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("slow-client"), Ct) == 3, "the checkpoint");

        for (var tick = 1; tick <= 7; tick++)
        {
            cluster.Time.Advance(Interval);
            await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= tick), $"trim {tick}");
            await Provider(cluster).LastTrim;
        }

        release.TrySetResult();
        var consumerId = $"client/{handle.HandleId:N}";
        await WaitUntilAsync(() => Task.FromResult(!Provider(cluster).HasCursor(streamId, consumerId)), "the slow consumer's cursor to retire");
        lock (seen)
        {
            Assert.Equal([1, 2, 3], seen);
        }

        Assert.Empty(await _memory.ReadDeadLettersAsync(streamId, Ct));
    }

    private static DurableStreamProvider Provider(IsolatedCluster cluster) => (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Timed out waiting for {what}");
            await Task.Delay(10, Ct);
        }
    }

    private static string ConsumerId(string key) => GrainId.Create(typeof(DurableSubscriberGrain).FullName!, key).ToString();

    private static string StoredConsumerId(string key) => GrainId.Create(typeof(StoredSubscriberGrain).FullName!, key).ToString();

    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", key));

    private Task<IsolatedCluster> StartAsync(Action<DurableStreamOptions>? configure = null) =>
        IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.CheckpointFlushInterval = TimeSpan.Zero;
            o.Retention = TimeSpan.FromHours(1);
            o.TrimInterval = Interval;
            configure?.Invoke(o);
        }));
}
