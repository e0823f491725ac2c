using Microsoft.Extensions.DependencyInjection;
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
        Assert.Empty(await _log.ReadSubscriptionsAsync(Ct));
    }

    [Fact]
    public async Task DurableStream_BatchIsAppendedAtomically_AndDeliveredInOrder()
    {
        await using var cluster = await StartAsync();

        await Stream(cluster, "acct-batch").OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);

        Assert.Equal(["1@1", "2@2", "3@3"], await cluster.Probe.WaitForLogAsync("acct-batch/received", 3));
        Assert.Equal(3, (await _log.ReadStreamAsync(StreamId.Create("durable-events", "acct-batch"), 0, 10, Ct)).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DurableStream_HandsThePublishedObject_ToConsumersOnThisSilo_OnlyWhenItsTypeIsImmutable(bool declared)
    {
        await using var cluster = await StartAsync(silo =>
        {
            if (declared)
            {
                silo.AddImmutableType<TestEvent>();
            }
        });
        var key = declared ? "imm-declared" : "imm-plain";
        var published = new TestEvent(1);
        var clientReceived = new TaskCompletionSource<TestEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Stream(cluster, key);
        await stream.SubscribeAsync((e, _) =>
        {
            clientReceived.TrySetResult(e);
            return Task.CompletedTask;
        });

        await stream.OnNextAsync(published);

        await cluster.Probe.WaitForLogAsync(key + "/received", 1);
        var grainGot = Assert.Single(cluster.Probe.GetKept(key + "/received"));
        var clientGot = await clientReceived.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(published, grainGot);
        Assert.Equal(published, clientGot);
        Assert.Equal(declared, ReferenceEquals(published, grainGot));
        Assert.Equal(declared, ReferenceEquals(published, clientGot));
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
        await cluster.Cluster.StopAllSilosAsync(Ct);
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
    public async Task GracefulStop_GivesUpAConsumerStillActivating_AndTheEventWaitsForTheNextSilo()
    {
        await using var cluster = await StartAsync();
        var streamId = StreamId.Create("durable-events", "acct-slow-start");
        cluster.Probe.SetFlag("acct-slow-start/activation-gated", true);
        await Stream(cluster, "acct-slow-start").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitAsync("acct-slow-start/activating");

        // The cursor's delivery waits for the activation; stopping the streams must not wait for it in turn.
        await cluster.Cluster.StopAllSilosAsync(Ct);

        // Cancelled, not timed out; and the failed delivery was not retried (a retry would have activated it again).
        Assert.True(cluster.Probe.IsSignaled("acct-slow-start/activation-cancelled"));
        Assert.Equal(1, cluster.Probe.Count("acct-slow-start/gated-activations"));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
        cluster.Probe.SetFlag("acct-slow-start/activation-gated", false);
        await cluster.Cluster.DeployAsync(Ct);
        Assert.Equal(["1@1"], await cluster.Probe.WaitForLogAsync("acct-slow-start/received", 1));
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

    /// <summary>
    /// Retry waits of 20, 40, then 80 days: the doubled wait passed what a timer can wait (about 49.7 days), the wait
    /// threw, the cursor restarted with its attempts at zero, and the poison event was retried for good, never
    /// dead-lettered. The doubling now stops at an hour, or at the configured first wait when that is longer.
    /// </summary>
    [Fact]
    public async Task DurableStream_DeadLettersAfterMaxAttempts_WhenTheDoubledRetryWaitWouldPassATimersLimit()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.MaxDeliveryAttempts = 4;
            o.RetryDelay = TimeSpan.FromDays(20);
        }));
        var streamId = StreamId.Create("durable-events", "acct-long-retry");

        await Stream(cluster, "acct-long-retry").OnNextAsync(new TestEvent(1, "poison"));

        // A day at a time, so each wait is armed before the clock passes it; 200 days is far more than 20 + 40 + 20.
        for (var day = 0; day < 200 && (await _log.ReadDeadLettersAsync(streamId, Ct)).Count == 0; day++)
        {
            await Task.Delay(10, Ct);
            cluster.Time.Advance(TimeSpan.FromDays(1));
        }

        var deadLetter = Assert.Single(await _log.ReadDeadLettersAsync(streamId, Ct));
        Assert.Equal(4, deadLetter.Attempts);
    }

    [Fact]
    public async Task DurableStream_DeliversTheEventsReadTogether_InOneTurn_AndGoesOnOneByOneFromAFailure()
    {
        await using var cluster = await StartAsync(silo => silo.AddIncomingGrainCallFilter<StreamDeliveryFilter>());

        await Stream(cluster, "acct-turns").OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        Assert.Equal(["1@1", "2@2", "3@3"], await cluster.Probe.WaitForLogAsync("acct-turns/received", 3));
        Assert.Equal(["OnNextDurableBatch"], cluster.Probe.GetLog("acct-turns/stream-calls"));

        // Event 2 fails in the batch (its first attempt) and twice more alone, then is dead-lettered; event 3 goes alone.
        await Stream(cluster, "acct-turns-poison").OnNextBatchAsync([new TestEvent(1), new TestEvent(2, "poison"), new TestEvent(3)]);
        Assert.Equal(["1@1", "3@3"], await cluster.Probe.WaitForLogAsync("acct-turns-poison/received", 2));
        Assert.Equal(["OnNextDurableBatch", "OnNext", "OnNext", "OnNext"], cluster.Probe.GetLog("acct-turns-poison/stream-calls"));
        Assert.Equal(3, Assert.Single(await _log.ReadDeadLettersAsync(StreamId.Create("durable-events", "acct-turns-poison"), Ct)).Attempts);
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
    public async Task ExplicitSubscription_IsStored_AndActivatesItsSubscriberAfterRestart()
    {
        await using var cluster = await StartAsync();
        var grain = cluster.Client.GetGrain<IStoredSubscriberGrain>("x1");
        await grain.Subscribe();
        var stored = Assert.Single(await _log.ReadSubscriptionsAsync(Ct));

        await cluster.Cluster.RestartSiloAsync(Ct);
        await StoredStream(cluster, "x1").OnNextAsync(new TestEvent(1));

        Assert.Equal(["1@1"], await cluster.Probe.WaitForLogAsync("x1/received", 1));
        Assert.Equal(["0", "1"], cluster.Probe.GetLog("x1/resumed"));
        Assert.Equal(StreamId.Create(StoredSubscriberGrain.Namespace, "x1"), stored.StreamId);
        Assert.Equal(GrainId.Create(typeof(StoredSubscriberGrain).FullName!, "x1"), stored.Subscriber);
        Assert.Equal([stored], await _log.ReadSubscriptionsAsync(Ct));
    }

    [Fact]
    public async Task ExplicitSubscription_OutlivesItsActivation_AndTheNextEventActivatesTheGrain()
    {
        await using var cluster = await StartAsync();
        var grain = cluster.Client.GetGrain<IStoredSubscriberGrain>("x2");
        await grain.Subscribe();
        await StoredStream(cluster, "x2").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("x2/received", 1);

        await grain.Deactivate();
        await StoredStream(cluster, "x2").OnNextAsync(new TestEvent(2));

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("x2/received", 2));
        Assert.Equal(["0", "1"], await cluster.Probe.WaitForLogAsync("x2/resumed", 2));
    }

    [Fact]
    public async Task ASubscriberJoiningAfterEarlierEvents_IsNotifiedOfTheNextOnes()
    {
        // The provider remembers each stream's resolved consumers; a new subscription must replace that memory.
        await using var cluster = await StartAsync();
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("j1~first").Subscribe();
        await StoredStream(cluster, "j1").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("j1~first/received", 1);

        await cluster.Client.GetGrain<IStoredSubscriberGrain>("j1~second").Subscribe();
        await StoredStream(cluster, "j1").OnNextAsync(new TestEvent(2));

        // A new subscriber starts from its own checkpoint, 0 (docs/runtime.md): the retained event 1 comes first. Waiting
        // for one entry and looking for event 2 in it failed whenever event 1 was delivered alone.
        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("j1~second/received", 2));
        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("j1~first/received", 2));
    }

    [Fact]
    public async Task ASubscriberJoiningAfterEarlierEvents_ReceivesThem_WithoutANewEvent()
    {
        // A new subscriber starts from checkpoint 0 (docs/runtime.md), so the retained events are its own now. They waited
        // for the next publish, or for a poll, which finds only what was appended since it last scanned the namespace.
        await using var cluster = await StartAsync();
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("j2~first").Subscribe();
        await StoredStream(cluster, "j2").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);
        await cluster.Probe.WaitForLogAsync("j2~first/received", 2);

        await cluster.Client.GetGrain<IStoredSubscriberGrain>("j2~second").Subscribe();

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("j2~second/received", 2));
        Assert.Equal(["1@1", "2@2"], cluster.Probe.GetLog("j2~first/received"));
    }

    [Fact]
    public async Task AClientSubscribingAfterEarlierEvents_ReceivesThem_WithoutANewEvent()
    {
        // No implicit or stored subscriber: the poll never scans this namespace, only a subscribe can start the reader.
        await using var cluster = await StartAsync();
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("client-only-events", "c1"));
        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);

        await stream.SubscribeAsync((e, token) =>
        {
            cluster.Probe.LogAndNotify("c1/received", $"{e.Number}@{token?.SequenceNumber ?? 0}");
            return Task.CompletedTask;
        });
        cluster.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["1@1", "2@2"], await cluster.Probe.WaitForLogAsync("c1/received", 2));
    }

    [Fact]
    public async Task Unsubscribe_DeletesTheStoredSubscription_AcrossRestart()
    {
        await using var cluster = await StartAsync();
        var leaving = cluster.Client.GetGrain<IStoredSubscriberGrain>("u1~leaving");
        var staying = cluster.Client.GetGrain<IStoredSubscriberGrain>("u1~staying");
        await leaving.Subscribe();
        await staying.Subscribe();
        await leaving.UnsubscribeAll();
        var handlesAfterUnsubscribe = await leaving.CountHandles();

        await cluster.Cluster.RestartSiloAsync(Ct);
        var stored = await _log.ReadSubscriptionsAsync(Ct);
        await StoredStream(cluster, "u1").OnNextAsync(new TestEvent(1));
        var stayingReceived = await cluster.Probe.WaitForLogAsync("u1~staying/received", 1);

        Assert.Equal(0, handlesAfterUnsubscribe);
        Assert.Equal([GrainId.Create(typeof(StoredSubscriberGrain).FullName!, "u1~staying")], stored.Select(s => s.Subscriber));
        Assert.Equal(["1@1"], stayingReceived);
        Assert.Empty(cluster.Probe.GetLog("u1~leaving/received"));
        Assert.Equal(0, await cluster.Client.GetGrain<IStoredSubscriberGrain>("u1~leaving").CountHandles());
    }

    [Fact]
    public async Task StoredSubscription_WithoutResume_FailsDelivery_AndIsDeadLettered()
    {
        await using var cluster = await StartAsync(silo => silo.AddIncomingGrainCallFilter<StreamDeliveryFilter>());
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("nr1").Subscribe();
        cluster.Probe.SetFlag("nr1/no-resume", true);

        await cluster.Cluster.RestartSiloAsync(Ct);
        await StoredStream(cluster, "nr1").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);

        // Three attempts at event 1, then its dead letter is written before event 2's first attempt.
        await cluster.Probe.WaitForLogAsync("nr1/stream-calls", 4);
        var deadLetters = await _log.ReadDeadLettersAsync(StreamId.Create(StoredSubscriberGrain.Namespace, "nr1"), Ct);
        var deadLetter = deadLetters[0];
        Assert.Equal(1, deadLetter.Sequence);
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Contains("holds no subscription to it", deadLetter.Error, StringComparison.Ordinal);
        Assert.Empty(cluster.Probe.GetLog("nr1/received"));
    }

    [Fact]
    public async Task StoredSubscription_HandleWithoutObserver_FailsDelivery_AndIsDeadLettered()
    {
        await using var cluster = await StartAsync(silo => silo.AddIncomingGrainCallFilter<StreamDeliveryFilter>());
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("nr2").Subscribe();
        cluster.Probe.SetFlag("nr2/no-resume", true);

        await cluster.Cluster.RestartSiloAsync(Ct);
        Assert.Equal(1, await cluster.Client.GetGrain<IStoredSubscriberGrain>("nr2").CountHandles());
        await StoredStream(cluster, "nr2").OnNextBatchAsync([new TestEvent(1), new TestEvent(2)]);

        await cluster.Probe.WaitForLogAsync("nr2/stream-calls", 4);
        var deadLetter = (await _log.ReadDeadLettersAsync(StreamId.Create(StoredSubscriberGrain.Namespace, "nr2"), Ct))[0];
        Assert.Equal(1, deadLetter.Sequence);
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Contains("which has no observer; call GetAllSubscriptionHandles() and ResumeAsync(observer)", deadLetter.Error, StringComparison.Ordinal);
        Assert.Empty(cluster.Probe.GetLog("nr2/received"));
    }

    [Fact]
    public async Task ResumeAsync_WithToken_RewindsDelivery_ToTheNewObserver()
    {
        await using var cluster = await StartAsync();
        var grain = cluster.Client.GetGrain<IStoredSubscriberGrain>("rw1");
        await grain.Subscribe();
        await StoredStream(cluster, "rw1").OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitForLogAsync("rw1/received", 3);

        await grain.ResumeFrom(2);

        Assert.Equal(["1@1", "2@2", "3@3", "replay 2@2", "replay 3@3"], await cluster.Probe.WaitForLogAsync("rw1/received", 5));
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
    public async Task DeadLetterCheckpoint_WhoseFlushFailed_IsWrittenByTheNextFlush_SoACrashDoesNotDeliverTheEventAgain()
    {
        // The checkpoint after a dead letter is flushed at once; when that flush failed, nothing wrote it on a quiet stream
        // (only the next event's progress scheduled a flush), and a crash any time later retried the dead-lettered event.
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.MaxDeliveryAttempts = 3;
            o.RetryDelay = TimeSpan.Zero;
        }));
        var streamId = StreamId.Create("durable-events", "acct-dead-flush");
        var consumerId = GrainId.Create(typeof(DurableSubscriberGrain).FullName!, "acct-dead-flush").ToString();
        log.Arm(out var entered, out var release);

        await Stream(cluster, "acct-dead-flush").OnNextAsync(new TestEvent(1, "poison"));
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        release.SetResult();
        await WaitUntilAsync(async () =>
        {
            cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
            return await _log.GetCheckpointAsync(streamId, consumerId, Ct) == 1;
        });

        await cluster.Cluster.KillAndRestartSiloAsync(Ct);
        await Stream(cluster, "acct-dead-flush").OnNextAsync(new TestEvent(2));

        Assert.Equal(["2@2"], await cluster.Probe.WaitForLogAsync("acct-dead-flush/received", 1));
        Assert.Equal(3, cluster.Probe.Count("acct-dead-flush/poison-attempts"));
        Assert.Equal(1, Assert.Single(await _log.ReadDeadLettersAsync(streamId, Ct)).Sequence);
    }

    [Fact]
    public async Task DurableStream_KeepsDelivering_AfterACursorFailsWhileAWakeIsPending()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.MaxDeliveryAttempts = 3;
            o.RetryDelay = TimeSpan.Zero;
            o.CheckpointFlushInterval = TimeSpan.Zero; // the cursor itself saves (and fails) after each batch
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

    [Fact]
    public async Task Rewind_RequestedWhileTheCursorFails_IsAppliedByTheCursorThatTakesOver()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.CheckpointFlushInterval = TimeSpan.Zero; // the cursor itself saves (and fails) after the batch
        }));
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("audit", "rewind-while-failing"));
        var deliveries = new Deliveries("3@3", times: 2);
        var handle = await stream.SubscribeAsync(deliveries.OnEvent);
        log.Arm(out var entered, out var release);

        // The cursor delivers 1..3 and stops in its checkpoint save; the subscriber asks to go on from 3; the save fails.
        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.ResumeAsync(deliveries.OnEvent, new StreamSequenceToken(3));
        release.SetResult();

        await deliveries.Done.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.UnsubscribeAsync();
        Assert.Equal(["1@1", "2@2", "3@3", "3@3"], deliveries.Seen);
    }

    [Fact]
    public async Task Rewind_WhoseResetFailsInTheCursor_IsAppliedByTheCursorThatTakesOver()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.CheckpointFlushInterval = TimeSpan.Zero; // the cursor itself saves (and fails) after the batch
        }));
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("audit", "rewind-reset-fails"));
        var deliveries = new Deliveries("3@3", times: 2);
        var handle = await stream.SubscribeAsync(deliveries.OnEvent);
        log.Arm(out var entered, out var release);

        // The cursor delivers 1..3 and stops in its checkpoint save; the subscriber asks to go on from 3; the save fails,
        // and so does the rewind's reset in the cursor that takes over: the rewind must survive that failure too.
        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.ResumeAsync(deliveries.OnEvent, new StreamSequenceToken(3));
        log.FailNextReset();
        release.SetResult();

        // The cursor whose reset failed is replaced after the restart pause, on the silo's fake clock.
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (!deliveries.Done.IsCompleted)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the rewound delivery");
            cluster.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(10, Ct);
        }

        await handle.UnsubscribeAsync();
        Assert.Equal(["1@1", "2@2", "3@3", "3@3"], deliveries.Seen);
    }

    [Fact]
    public async Task Rewind_OfAConsumerWithoutCursor_IsNotOverrunByACursorAnAppendStartsMeanwhile()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o => o.RetryDelay = TimeSpan.Zero));
        var streamId = StreamId.Create("audit", "rewind-during-append");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var deliveries = new Deliveries("5@5");
        var handle = await stream.SubscribeAsync(deliveries.OnEvent);
        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (provider.HasCursor(streamId, $"client/{handle.HandleId:N}"))
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the cursor to retire");
            await Task.Delay(10, Ct);
        }

        // The subscriber rewinds to the start; while the rewind is being stored, event 4 arrives and wakes the consumer.
        log.HoldNextReset(out var entered, out var release);
        var resume = handle.ResumeAsync(deliveries.OnEvent, new StreamSequenceToken(1));
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stream.OnNextAsync(new TestEvent(4));
        release.SetResult();
        await resume;
        await stream.OnNextAsync(new TestEvent(5));

        await deliveries.Done.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.UnsubscribeAsync();
        Assert.Equal(["1@1", "2@2", "3@3", "1@1", "2@2", "3@3", "4@4", "5@5"], deliveries.Seen);
    }

    [Fact]
    public async Task Rewind_WhoseResetFailsInTheCursor_IsStored_WhenTheSiloStopsBeforeTheCursorTakesOver()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.RetryDelay = TimeSpan.FromSeconds(1); // the restart pause, on the silo's fake clock: it does not elapse here
            o.CheckpointFlushInterval = TimeSpan.Zero;
        }));
        var streamId = StreamId.Create("audit", "rewind-reset-fails-then-stop");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task OnEvent(TestEvent e, StreamSequenceToken? token)
        {
            if (e.Number == 3)
            {
                third.TrySetResult();
            }

            return Task.CompletedTask;
        }

        var handle = await stream.SubscribeAsync(OnEvent);
        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await third.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var consumerId = $"client/{handle.HandleId:N}";
        await WaitUntilAsync(() => !provider.HasCursor(streamId, consumerId));
        Assert.Equal(3, await _log.GetCheckpointAsync(streamId, consumerId, Ct));

        // The subscriber rewinds to the start; the cursor's reset fails, and the silo stops gracefully during the pause
        // before the cursor that would take over: the rewind is stored for the next silo, as one asked during the stop.
        log.FailNextReset();
        await handle.ResumeAsync(OnEvent, new StreamSequenceToken(1));
        await WaitUntilAsync(() => !provider.HasCursor(streamId, consumerId));
        await cluster.Cluster.StopAllSilosAsync(Ct);

        Assert.Equal(0, await _log.GetCheckpointAsync(streamId, consumerId, Ct));
    }

    [Fact]
    public async Task Unsubscribe_WhileTheCursorFails_StillDropsTheCheckpoint()
    {
        var log = new CheckpointFailingLog(_log);
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => log, o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.CheckpointFlushInterval = TimeSpan.Zero; // the cursor itself saves (and fails) after the batch
        }));
        var streamId = StreamId.Create("audit", "unsubscribe-while-failing");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var handle = await stream.SubscribeAsync((_, _) => Task.CompletedTask);
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var consumerId = $"client/{handle.HandleId:N}";
        await stream.OnNextAsync(new TestEvent(1));
        await WaitUntilAsync(async () => await _log.GetCheckpointAsync(streamId, consumerId, Ct) == 1);

        // The cursor delivers event 2 and stops in its checkpoint save; the subscriber leaves meanwhile (its cursor still
        // runs, so the cursor is to drop the checkpoint); then the save fails and the cursor ends by failing, not retiring.
        log.Arm(out var entered, out var release);
        await stream.OnNextAsync(new TestEvent(2));
        await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.UnsubscribeAsync();
        release.SetResult();
        await WaitUntilAsync(() => !provider.HasCursor(streamId, consumerId));
        cluster.Time.Advance(TimeSpan.FromSeconds(1)); // past the restart pause: no cursor comes for a consumer that left

        // Left behind, the checkpoint would hold the stream's retention at 1 forever.
        await WaitUntilAsync(async () => await _log.GetCheckpointAsync(streamId, consumerId, Ct) == 0);
    }

    [Fact]
    public async Task Unsubscribe_WhileTheCursorWaitsToRetry_DropsTheCheckpoint_WhenTheSiloStopsGracefully()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.RetryDelay = TimeSpan.FromSeconds(1); // on the silo's fake clock: the retry waits until the stop
            o.CheckpointFlushInterval = TimeSpan.Zero;
        }));
        var streamId = StreamId.Create("audit", "unsubscribe-while-retrying");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = await stream.SubscribeAsync((e, _) =>
        {
            if (e.Number == 2)
            {
                failed.TrySetResult();
                throw new InvalidOperationException("consumer failed");
            }

            return Task.CompletedTask;
        });
        var consumerId = $"client/{handle.HandleId:N}";
        await stream.OnNextAsync(new TestEvent(1));
        await WaitUntilAsync(async () => await _log.GetCheckpointAsync(streamId, consumerId, Ct) == 1);

        // Event 2 fails and its cursor waits to retry; the subscriber leaves meanwhile (its cursor still runs, so the cursor
        // is to drop the checkpoint); then the silo stops gracefully and the cursor ends without retiring.
        await stream.OnNextAsync(new TestEvent(2));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.UnsubscribeAsync();
        await cluster.Cluster.StopAllSilosAsync(Ct);

        // Left behind, the checkpoint would hold the stream's retention at 1 forever.
        Assert.Equal(0, await _log.GetCheckpointAsync(streamId, consumerId, Ct));
    }

    [Fact]
    public async Task Unsubscribe_WhileTheCursorWaitsToRetry_StopsTheRetries_AndWritesNoDeadLetter()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.AddDurableStreams("durable", _ => _log, o =>
        {
            o.MaxDeliveryAttempts = 2;
            o.RetryDelay = TimeSpan.FromSeconds(1); // on the silo's fake clock: the retry waits until the test advances it
        }));
        var streamId = StreamId.Create("audit", "unsubscribe-stops-retries");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var attempts = 0;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = await stream.SubscribeAsync((_, _) =>
        {
            Interlocked.Increment(ref attempts);
            failed.TrySetResult();
            throw new InvalidOperationException("consumer failed");
        });
        var consumerId = $"client/{handle.HandleId:N}";

        // The event fails and its cursor waits to retry; the subscriber leaves meanwhile, then the retry wait ends.
        await stream.OnNextAsync(new TestEvent(1));
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await handle.UnsubscribeAsync();
        await WaitUntilAsync(() =>
        {
            cluster.Time.Advance(TimeSpan.FromSeconds(1));
            return !provider.HasCursor(streamId, consumerId);
        });

        // A handle that was unsubscribed is not called again, and the event it left is no failure of a consumer.
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
        Assert.Equal(0, await _log.GetCheckpointAsync(streamId, consumerId, Ct));
    }

    [Fact]
    public async Task UnsubscribeOfAStoredSubscription_WhileItsEventWaitsToRetry_StopsTheRetries_AndWritesNoDeadLetter()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo =>
        {
            silo.AddDurableStreams("durable", _ => _log, o =>
            {
                o.MaxDeliveryAttempts = 2;
                o.RetryDelay = TimeSpan.FromSeconds(1); // on the silo's fake clock: the retry waits until the test advances it
            });
            silo.AddIncomingGrainCallFilter<StreamDeliveryFilter>();
        });
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("ur1").Subscribe();
        cluster.Probe.SetFlag("ur1/no-resume", true);
        await cluster.Cluster.RestartSiloAsync(Ct);
        var streamId = StreamId.Create(StoredSubscriberGrain.Namespace, "ur1");
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");

        // The event fails (the new activation did not resume its handle) and waits to retry; the grain unsubscribes meanwhile.
        await StoredStream(cluster, "ur1").OnNextAsync(new TestEvent(1));
        await cluster.Probe.WaitForLogAsync("ur1/stream-calls", 1);
        await cluster.Client.GetGrain<IStoredSubscriberGrain>("ur1").UnsubscribeAll();
        await WaitUntilAsync(() =>
        {
            cluster.Time.Advance(TimeSpan.FromSeconds(1));
            return !provider.HasCursor(streamId, GrainId.Create(typeof(StoredSubscriberGrain).FullName!, "ur1").ToString());
        });

        Assert.Equal(["OnNext"], cluster.Probe.GetLog("ur1/stream-calls"));
        Assert.Empty(await _log.ReadDeadLettersAsync(streamId, Ct));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the condition");
            await Task.Delay(10, Ct);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for the condition");
            await Task.Delay(10, Ct);
        }
    }

    private static IAsyncStream<TestEvent> StoredStream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create(StoredSubscriberGrain.Namespace, key));

    [Fact]
    public async Task DurableStream_KeepsNoDeactivatedSubscriber_InMemory()
    {
        // Each subscriber takes two events: the second is published while it is subscribed, so the provider resolves the
        // stream's consumers from a registry array holding its subscription. That cache kept the array after the
        // deactivation, and with it the activation and its grain, until the stream's next event: for an account collected
        // as idle, for good, one grain per stream ever consumed.
        const int subscribers = 20;
        await using var cluster = await StartAsync();
        for (var i = 0; i < subscribers; i++)
        {
            var key = "idle-" + i;
            await Stream(cluster, key).OnNextAsync(new TestEvent(1));
            await cluster.Probe.WaitForLogAsync(key + "/received", 1);
            await Stream(cluster, key).OnNextAsync(new TestEvent(2));
            await cluster.Probe.WaitForLogAsync(key + "/received", 2);
        }

        var runtime = cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>();
        var activations = runtime.Catalog.Snapshot().Where(a => a.GrainInstance is DurableSubscriberGrain).ToList();
        Assert.Equal(subscribers, activations.Count);
        foreach (var activation in activations)
        {
            activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"));
            await activation.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        var provider = (DurableStreamProvider)runtime.Streams.Get("durable");
        Assert.Equal(0, provider.SubscriptionsHeldByConsumerCache().Count(s => s.Owner is { Deactivated.IsCompleted: true }));
    }

    private static IAsyncStream<TestEvent> Stream(IsolatedCluster cluster, string key) =>
        cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", key));

    private Task<IsolatedCluster> StartAsync(Action<ISiloBuilder>? configure = null) =>
        IsolatedCluster.StartAsync(silo =>
        {
            silo.AddDurableStreams("durable", _ => _log, o =>
            {
                o.MaxDeliveryAttempts = 3;
                o.RetryDelay = TimeSpan.Zero;
            });
            configure?.Invoke(silo);
        });

    /// <summary>A client subscription's deliveries as "number@sequence", done when <paramref name="awaited"/> came <paramref name="times"/> times.</summary>
    private sealed class Deliveries(string awaited, int times = 1)
    {
        private readonly List<string> _seen = [];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        public List<string> Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public Task OnEvent(TestEvent e, StreamSequenceToken? token)
        {
            lock (_seen)
            {
                _seen.Add($"{e.Number}@{token!.SequenceNumber}");
                if (_seen.Count(s => s == awaited) == times)
                {
                    _done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }
    }
}
