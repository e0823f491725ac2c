using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Runtime.Testing;
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
    private const string TrimmedUnread = "orleanstrader.streams.trimmed_unread";
    private readonly MemoryDurableStreamLog _memory = new();
    private readonly CapturedLogs _logs = new();
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

    /// <summary>
    /// "Keep events for good" is a retention longer than the calendar reaches back (say 10,000 years): now less it is
    /// before the year 1, so every trim threw ArgumentOutOfRangeException and was logged as a failure every interval.
    /// </summary>
    [Fact]
    public async Task Trimmer_WithARetentionReachingBeforeTheCalendar_DeletesNothing_AndDoesNotFail()
    {
        await using var cluster = await StartAsync(o => o.Retention = TimeSpan.FromDays(3_652_500));
        var streamId = StreamId.Create("durable-events", "kept");
        await Stream(cluster, "kept").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("kept/received", 1);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("kept"), Ct) == 1, "the checkpoint");

        var deleted = await Provider(cluster).TrimAsync(Ct);

        Assert.Equal(0, deleted);
        Assert.Single(await _memory.ReadStreamAsync(streamId, 0, 10, Ct));
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

    /// <summary>
    /// A rewind to a token older than the oldest retained event starts at the oldest retained one (documented), but the
    /// caller asked for events that no longer exist and was not told: now a warning (1058) naming stream, consumer, the
    /// requested and the oldest retained sequence, and the missing events counted.
    /// </summary>
    [Fact]
    public async Task Rewind_ToATokenBeforeTheRetainedEvents_StartsAtTheOldestRetained_AndIsWarnedAndCounted()
    {
        await using var cluster = await StartAsync(WithoutTail);
        using var trimmedUnread = new InstrumentReader(cluster.Cluster.ServiceProvider, TrimmedUnread);
        var streamId = StreamId.Create("durable-events", "rewound");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await PublishAndTrimAsync(cluster, streamId, 3);
        await stream.OnNextBatchAsync([new TestEvent(4), new TestEvent(5)]);
        var seen = new List<long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var handle = await stream.SubscribeAsync((e, token) =>
        {
            lock (seen)
            {
                seen.Add(token!.SequenceNumber);
            }

            if (e.Number == 5)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        }, new StreamSequenceToken(1));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        lock (seen)
        {
            Assert.Equal([4L, 5L], seen);
        }

        var warning = Assert.Single(_logs.Entries, e => e.EventId == 1058);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("durable-events/rewound", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"client/{handle.HandleId:N}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("asked for #1,", warning.Message, StringComparison.Ordinal);
        Assert.Contains("before #4 were trimmed", warning.Message, StringComparison.Ordinal);
        Assert.Equal(3, trimmedUnread.Sum("namespace=durable-events,provider=durable,reason=rewind"));
    }

    /// <summary>A rewind into a stream whose events were all trimmed finds nothing to read: still told, not silent.</summary>
    [Fact]
    public async Task Rewind_IntoAStreamWhoseEventsWereAllTrimmed_IsWarnedAndCounted()
    {
        await using var cluster = await StartAsync(WithoutTail);
        using var trimmedUnread = new InstrumentReader(cluster.Cluster.ServiceProvider, TrimmedUnread);
        var streamId = StreamId.Create("durable-events", "all-gone");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await PublishAndTrimAsync(cluster, streamId, 3);

        var handle = await stream.SubscribeAsync((_, _) => Task.CompletedTask, new StreamSequenceToken(2));
        await WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.EventId == 1058)), "the rewind warning");

        var warning = Assert.Single(_logs.WithEventId(1058));
        Assert.Contains($"client/{handle.HandleId:N}", warning, StringComparison.Ordinal);
        Assert.Contains("asked for #2,", warning, StringComparison.Ordinal);
        Assert.Contains("before #4 were trimmed", warning, StringComparison.Ordinal);
        Assert.Equal(2, trimmedUnread.Sum("namespace=durable-events,provider=durable,reason=rewind"));
    }

    /// <summary>
    /// A new consumer whose first read finds every event trimmed, and whose first event comes later: its reader stopped
    /// with nothing to read and the next one, started by the event, reported the same trimmed start again (two 1060 lines,
    /// the count doubled); since a new subscription starts its reader at once, that was the usual order.
    /// </summary>
    [Fact]
    public async Task NewConsumer_WhoseFirstReadFindsEverythingTrimmed_IsReportedOnce_WhenItsFirstEventComesLater()
    {
        await using var cluster = await StartAsync(WithoutTail);
        using var trimmedUnread = new InstrumentReader(cluster.Cluster.ServiceProvider, TrimmedUnread);
        var streamId = StreamId.Create("durable-events", "later-event");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await PublishAndTrimAsync(cluster, streamId, 3);
        var (_, first) = await SubscribeNotingFirstSequenceAsync(stream);
        await WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.EventId == 1060)), "the first read's report");

        await stream.OnNextAsync(new TestEvent(4));

        Assert.Equal(4, await first.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.Single(_logs.Entries, e => e.EventId == 1060);
        Assert.Equal(3, trimmedUnread.Sum("namespace=durable-events,provider=durable,reason=new_consumer"));
    }

    /// <summary>
    /// A consumer with no checkpoint yet starts from the retained events: the documented intent (it never was a consumer of
    /// what was trimmed), so no warning, but logged (1060, Information) and counted under its own reason.
    /// </summary>
    [Fact]
    public async Task NewConsumer_OnAStreamWhoseFirstEventsWereTrimmed_StartsAtTheRetainedEvents_AndIsLoggedNotWarned()
    {
        await using var cluster = await StartAsync(WithoutTail);
        using var trimmedUnread = new InstrumentReader(cluster.Cluster.ServiceProvider, TrimmedUnread);
        var streamId = StreamId.Create("durable-events", "late-client");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        await PublishAndTrimAsync(cluster, streamId, 3);
        var (handle, first) = await SubscribeNotingFirstSequenceAsync(stream);

        await stream.OnNextAsync(new TestEvent(4));

        Assert.Equal(4, await first.WaitAsync(TimeSpan.FromSeconds(20), Ct));

        var entry = Assert.Single(_logs.Entries, e => e.EventId == 1060);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains($"client/{handle.HandleId:N}", entry.Message, StringComparison.Ordinal);
        Assert.Contains("#4", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId is 1058 or 1059);
        Assert.Equal(3, trimmedUnread.Sum("namespace=durable-events,provider=durable,reason=new_consumer"));
    }

    /// <summary>
    /// A consumer whose checkpoint is behind the oldest retained event (here: checkpoints restored from an older backup
    /// after the log was trimmed) lost events it never acknowledged. It went on from the retained ones without a word.
    /// </summary>
    [Fact]
    public async Task CheckpointedConsumer_WhoseUnreadEventsAreGone_IsWarnedAndCounted()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "restored");
        await Stream(cluster, "restored").OnNextBatchAsync(Enumerable.Range(1, 5).Select(i => new TestEvent(i)));
        await cluster.Probe.WaitForLogAsync("restored/received", 5);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId("restored"), Ct) == 5, "the checkpoint");
        await cluster.Cluster.StopAllSilosAsync(Ct);
        await _memory.TrimAsync(DateTimeOffset.MaxValue, Ct);
        await _memory.ResetCheckpointAsync(streamId, ConsumerId("restored"), 2, Ct);
        Assert.Empty(await _memory.ReadStreamAsync(streamId, 0, 10, Ct));

        await cluster.Cluster.DeployAsync(Ct);
        using var trimmedUnread = new InstrumentReader(cluster.Cluster.ServiceProvider, TrimmedUnread);
        await Stream(cluster, "restored").OnNextAsync(new TestEvent(6));

        Assert.Equal("6@6", (await cluster.Probe.WaitForLogAsync("restored/received", 6))[^1]);
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 1059);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("durable-events/restored", warning.Message, StringComparison.Ordinal);
        Assert.Contains(ConsumerId("restored"), warning.Message, StringComparison.Ordinal);
        Assert.Contains("resumes at #3 ", warning.Message, StringComparison.Ordinal);
        Assert.Contains("before #6 were trimmed", warning.Message, StringComparison.Ordinal);
        Assert.Equal(3, trimmedUnread.Sum("namespace=durable-events,provider=durable,reason=checkpoint"));
    }

    /// <summary>Publishes events 1..count, waits until the implicit subscriber acknowledged them, and lets retention trim them.</summary>
    private async Task PublishAndTrimAsync(IsolatedCluster cluster, StreamId streamId, int count)
    {
        await cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId)
            .OnNextBatchAsync(Enumerable.Range(1, count).Select(i => new TestEvent(i)));
        await cluster.Probe.WaitForLogAsync($"{streamId.Key}/received", count);
        await WaitUntilAsync(async () => await _memory.GetCheckpointAsync(streamId, ConsumerId(streamId.Key), Ct) == count, "the checkpoint");
        var before = _log.Trims.Count;
        for (var tick = 1; tick <= 7; tick++)
        {
            cluster.Time.Advance(Interval);
            await WaitUntilAsync(() => Task.FromResult(_log.Trims.Count >= before + tick), $"trim {tick}");
            await Provider(cluster).LastTrim;
        }

        Assert.Empty(await _memory.ReadStreamAsync(streamId, 0, 10, Ct));
    }

    /// <summary>No tail: events appended on this silo would otherwise still be served from memory after the log trimmed them.</summary>
    private static void WithoutTail(DurableStreamOptions options) => options.TailEventsPerStream = 0;

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
        IsolatedCluster.StartAsync(silo =>
        {
            silo.Services.AddSingleton<ILoggerProvider>(_logs);
            silo.AddDurableStreams("durable", _ => _log, o =>
            {
                o.CheckpointFlushInterval = TimeSpan.Zero;
                o.Retention = TimeSpan.FromHours(1);
                o.TrimInterval = Interval;
                configure?.Invoke(o);
            });
        });

    /// <summary>Subscribes; the task completes with the sequence of the first event delivered.</summary>
    private static async Task<(StreamSubscriptionHandle<TestEvent> Handle, Task<long> First)> SubscribeNotingFirstSequenceAsync(IAsyncStream<TestEvent> stream)
    {
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = await stream.SubscribeAsync((_, token) =>
        {
            first.TrySetResult(token!.SequenceNumber);
            return Task.CompletedTask;
        });
        return (handle, first.Task);
    }
}
