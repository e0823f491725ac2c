using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// The durable provider's cheap path: checkpoints remembered and written in coalesced batches, new events taken from the
/// in-memory tail, and the guarantees that still hold around it (graceful stop flushes; a crash redelivers a bounded window, in order).
/// The silo's clock is fake, so the flush interval never passes unless a test moves it.
/// </summary>
public sealed class DurableStreamCheckpointTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly MemoryDurableStreamLog _memory = new();
    private readonly CountingDurableStreamLog _log;

    public DurableStreamCheckpointTests() => _log = new CountingDurableStreamLog(_memory);

    [Fact]
    public async Task CaughtUpConsumer_WokenByAnAppendHere_ReadsNothingFromTheLog()
    {
        await using var cluster = await StartAsync();
        var stream = Stream(cluster, "quiet");
        await stream.OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("quiet/received", 1);
        var tails = ((DurableStreamProvider)cluster.Client.GetStreamProvider("durable")).Tails;
        var missesBefore = tails.Misses;
        _log.Reset();

        for (var i = 2; i <= 6; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
            await cluster.Probe.WaitForLogAsync("quiet/received", i);
        }

        Assert.Equal(["1@1", "2@2", "3@3", "4@4", "5@5", "6@6"], cluster.Probe.GetLog("quiet/received"));
        Assert.Equal(5, _log.Appends);
        Assert.Equal(0, _log.StreamReads);
        Assert.Equal(0, _log.CheckpointReads);
        Assert.Equal(0, _log.CheckpointWrites);
        Assert.Equal(missesBefore, tails.Misses);
        Assert.True(tails.Hits >= 5, $"{tails.Hits} tail hits");
    }

    [Fact]
    public async Task ConsumerBehindTheTail_ReadsTheLog_InOrder()
    {
        await using var cluster = await StartAsync(o => o.TailEventsPerStream = 2);

        await Stream(cluster, "long").OnNextBatchAsync(Enumerable.Range(1, 5).Select(i => new TestEvent(i)));

        Assert.Equal(["1@1", "2@2", "3@3", "4@4", "5@5"], await cluster.Probe.WaitForLogAsync("long/received", 5));
        Assert.Equal(1, _log.StreamReads);
    }

    [Fact]
    public async Task Checkpoints_AreCoalesced_AndAGracefulStopStoresThem_SoARestartDoesNotRedeliver()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "graceful");
        for (var i = 1; i <= 3; i++)
        {
            await Stream(cluster, "graceful").OnNextAsync(new TestEvent(i));
        }

        await cluster.Probe.WaitForLogAsync("graceful/received", 3);
        var storedWhileRunning = await _memory.GetCheckpointAsync(streamId, ConsumerId("graceful"), Ct);
        var writesWhileRunning = _log.CheckpointWrites;

        await cluster.Cluster.StopAllSilosAsync(Ct);
        var storedAfterStop = await _memory.GetCheckpointAsync(streamId, ConsumerId("graceful"), Ct);
        await cluster.Cluster.DeployAsync(Ct);
        await Stream(cluster, "graceful").OnNextAsync(new TestEvent(4));

        Assert.Equal(["1@1", "2@2", "3@3", "4@4"], await cluster.Probe.WaitForLogAsync("graceful/received", 4));
        Assert.Equal(0, storedWhileRunning);

        // Only the consumer's first checkpoint, 0, stored when its reader started (retention keeps what it has not read).
        Assert.Equal(1, writesWhileRunning);
        Assert.Equal(3, storedAfterStop);
    }

    [Fact]
    public async Task Checkpoints_AreStored_OnceTheFlushIntervalPasses()
    {
        await using var cluster = await StartAsync(o => o.CheckpointFlushInterval = TimeSpan.FromMilliseconds(100));
        var streamId = StreamId.Create("durable-events", "interval");
        await Stream(cluster, "interval").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);
        await cluster.Probe.WaitForLogAsync("interval/received", 2);
        var before = await _memory.GetCheckpointAsync(streamId, ConsumerId("interval"), Ct);

        // The delayed flush may arm its timer a moment after delivery, so time moves until it fires (bounded by the deadline).
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (await _memory.GetCheckpointAsync(streamId, ConsumerId("interval"), Ct) != 2)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the checkpoint flush");
            cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10, Ct);
        }

        Assert.Equal(0, before);

        // The consumer's first checkpoint (0, when its reader started), then one flush.
        Assert.Equal(2, _log.CheckpointWrites);
    }

    [Fact]
    public async Task Crash_RedeliversAtMostTheUnflushedEvents_InOrder()
    {
        await using var cluster = await StartAsync(o => o.CheckpointMaxUnflushedEvents = 4);
        var streamId = StreamId.Create("durable-events", "crash-window");
        await Stream(cluster, "crash-window").OnNextBatchAsync(Enumerable.Range(1, 10).Select(i => new TestEvent(i)));
        await cluster.Probe.WaitForLogAsync("crash-window/received", 10);

        await cluster.Cluster.KillSiloAsync(Ct);
        var storedAfterCrash = await _memory.GetCheckpointAsync(streamId, ConsumerId("crash-window"), Ct);
        await cluster.Cluster.DeployAsync(Ct);

        var received = await cluster.Probe.WaitForLogAsync("crash-window/received", 12);
        Assert.Equal(8, storedAfterCrash);
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"{i}@{i}"), "9@9", "10@10"], received);
    }

    [Fact]
    public async Task DeadLetter_StoresTheCheckpointAtOnce()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "poison-flush");

        await Stream(cluster, "poison-flush").OnNextBatchAsync([new TestEvent(1), new TestEvent(2, "poison")]);
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (await _memory.GetCheckpointAsync(streamId, ConsumerId("poison-flush"), Ct) != 2)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the dead letter's checkpoint");
            await Task.Delay(10, Ct);
        }

        Assert.Equal(2, Assert.Single(await _memory.ReadDeadLettersAsync(streamId, Ct)).Sequence);
    }

    [Fact]
    public async Task GracefulStop_DuringARetry_StoresTheWrittenThroughProgress_SoARestartDoesNotRedeliverIt()
    {
        await using var cluster = await StartAsync(o =>
        {
            o.CheckpointFlushInterval = TimeSpan.Zero;
            o.RetryDelay = TimeSpan.FromHours(1);
        });
        var streamId = StreamId.Create("durable-events", "stop-in-retry");
        var scheduled = cluster.Time.ActiveTimerCount + 1;

        await Stream(cluster, "stop-in-retry").OnNextBatchAsync([new TestEvent(1), new TestEvent(2, "poison")]);
        await cluster.Probe.WaitForLogAsync("stop-in-retry/received", 1);
        await cluster.Time.WaitForActiveTimerCountAsync(scheduled).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await cluster.Cluster.StopAllSilosAsync(Ct);

        Assert.Equal(1, cluster.Probe.Count("stop-in-retry/poison-attempts"));
        Assert.Equal(1, await _memory.GetCheckpointAsync(streamId, ConsumerId("stop-in-retry"), Ct));
    }

    private static string ConsumerId(string key) => GrainId.Create(typeof(DurableSubscriberGrain).FullName!, key).ToString();

    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", key));

    private Task<IsolatedCluster> StartAsync(Action<DurableStreamOptions>? configure = null) =>
        IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.MaxDeliveryAttempts = 3;
            o.RetryDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }));
}
