using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

/// <summary>A client that unsubscribes from a durable stream takes its checkpoint with it, so retention trims past it.</summary>
public sealed class DurableStreamClientRetentionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private readonly MemoryDurableStreamLog _memory = new();
    private readonly CountingDurableStreamLog _log;

    public DurableStreamClientRetentionTests() => _log = new CountingDurableStreamLog(_memory);

    /// <summary>
    /// A client subscription's consumer id is unique to its handle and never comes back, yet its checkpoint stays in the
    /// log after it unsubscribes: retention keeps every event past that checkpoint forever (the lowest checkpoint of the
    /// stream), although every remaining consumer acknowledged them. The log of such a stream grows without bound.
    /// </summary>
    [Fact]
    public async Task Retention_AfterAClientUnsubscribes_TrimsWhatEveryRemainingConsumerAcknowledged()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.CheckpointFlushInterval = TimeSpan.Zero;
            o.Retention = TimeSpan.FromHours(1);
            o.TrimInterval = Interval;
        }));
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
            await ((DurableStreamProvider)cluster.Client.GetStreamProvider("durable")).LastTrim;
        }

        Assert.Empty((await _memory.ReadStreamAsync(streamId, 0, 10, Ct)).Select(e => e.Sequence));
    }

    private static string ConsumerId(string key) => GrainId.Create(typeof(DurableSubscriberGrain).FullName!, key).ToString();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Timed out waiting for {what}");
            await Task.Delay(10, Ct);
        }
    }
}
