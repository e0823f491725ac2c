using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Runtime.Testing;
using OrleansTrader.Runtime.Tests.Grains;
using OrleansTrader.Runtime.Tests.Infrastructure;

namespace OrleansTrader.Runtime.Tests;

public sealed class ShutdownTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task GracefulStop_DeactivatesEveryActivation_AndPersistsState()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var keys = Enumerable.Range(0, 20).Select(i => "g" + i).ToArray();
        await Task.WhenAll(keys.Select((key, i) => cluster.Client.GetGrain<ICounterAGrain>(key).AddLater(i + 1)));

        await cluster.Cluster.StopAllSilosAsync(Ct);

        for (var i = 0; i < keys.Length; i++)
        {
            var state = new GrainState<CounterState>(new CounterState());
            await cluster.Storage.ReadStateAsync("counter", GrainId.Create("counter-a", keys[i]), state, Ct);
            Assert.Equal(i + 1, state.State.Value);
        }
    }

    [Fact]
    public async Task GracefulStop_CancelsAnActivationStillRunning_InsteadOfWaitingForIt()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        cluster.Probe.SetFlag("slow/gated", true);
        var call = cluster.Client.GetGrain<IFailingActivationGrain>("slow").Ping();
        await cluster.Probe.WaitAsync("slow/activating");

        await cluster.Cluster.StopAllSilosAsync(Ct);

        Assert.True(cluster.Probe.IsSignaled("slow/activation-cancelled"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        Assert.Contains("before its activation completed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulStop_StopsReminders_First_SoADueTickActivatesNoGrainWhileTheStreamsStop()
    {
        var table = new MemoryReminderTable();
        var log = new CheckpointFailingLog(new MemoryDurableStreamLog());
        await using var cluster = await IsolatedCluster.StartAsync(silo =>
        {
            silo.Services.AddSingleton<IReminderTable>(table);
            silo.AddDurableStreams("durable", _ => log);
        });
        await cluster.Client.GetGrain<IReminderGrain>("r-stop").Register("wake", TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        await cluster.Cluster.RestartSiloAsync(Ct); // the reminder is loaded from the table; its grain is not active
        var grainId = GrainId.Create(typeof(ReminderGrain).FullName!, "r-stop");
        var catalog = cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>().Catalog;

        // A delivered event leaves a checkpoint for the stop to flush; the flush is held, so the stop waits on its streams.
        var provider = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var stream = provider.GetStream<TestEvent>(StreamId.Create("audit", "stop-flush"));
        await stream.SubscribeAsync((_, _) => Task.CompletedTask);
        await stream.OnNextAsync(new TestEvent(1));
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (provider.Checkpoints.DirtyCount == 0)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "The event's checkpoint was never marked for a flush");
            await Task.Delay(10, Ct);
        }

        log.Arm(out var flushing, out var release);
        var stop = cluster.Cluster.StopAllSilosAsync(Ct);
        await flushing.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The reminder falls due while the stop is under way (the fake clock fires it here, on this thread).
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var activatedDuringStop = catalog.TryGet(grainId, out _);
        release.SetResult();
        await stop;

        Assert.False(activatedDuringStop);
        Assert.Empty(cluster.Probe.GetLog("r-stop/reminders"));
        Assert.Single(await table.ReadAllRowsAsync(Ct)); // still stored: the next silo fires it
    }

    [Fact]
    public async Task GracefulStop_StopsMemoryStreamDelivery_BeforeTheDurableFlush_CountingTheEventsItDrops()
    {
        var log = new CheckpointFailingLog(new MemoryDurableStreamLog());
        var probe = new TestProbe();
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));

        // The durable provider is added before the memory one, as the trading silo does: the providers stop in that order.
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => silo.AddDurableStreams("durable", _ => log))
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage, new FakeTimeProvider()))
            .Build();
        await cluster.DeployAsync(Ct);
        var catalog = cluster.ServiceProvider.GetRequiredService<GrainRuntime>().Catalog;
        var memory = (MemoryStreamProvider)cluster.Client.GetStreamProvider("memory");

        // An implicit subscriber busy with an event, and two more events waiting behind it in its stream's queue.
        var busy = memory.GetStream<TestEvent>(StreamId.Create("memory-events", "m-busy"));
        await busy.OnNextAsync(new TestEvent(1, "block"));
        await probe.WaitAsync("m-busy/entered/1");
        await busy.OnNextBatchAsync([new TestEvent(2), new TestEvent(3)]);

        // A delivered durable event leaves a checkpoint for the stop to flush; the flush is held, so the stop waits on its streams.
        var durable = (DurableStreamProvider)cluster.Client.GetStreamProvider("durable");
        var stream = durable.GetStream<TestEvent>(StreamId.Create("audit", "stop-flush-memory"));
        await stream.SubscribeAsync((_, _) => Task.CompletedTask);
        await stream.OnNextAsync(new TestEvent(1));
        var deadline = TimeProvider.System.GetTimestamp() + (30 * TimeProvider.System.TimestampFrequency);
        while (durable.Checkpoints.DirtyCount == 0)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "The event's checkpoint was never marked for a flush");
            await Task.Delay(10, Ct);
        }

        log.Arm(out var flushing, out var release);
        var stop = cluster.StopAllSilosAsync(Ct);
        await flushing.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // While the stop waits on the flush, the waiting events have been dropped and counted, and an event for a grain
        // not active here is dropped and counted too: it activates nothing in a silo going away.
        var droppedWaiting = memory.DroppedEventCount;
        await memory.GetStream<TestEvent>(StreamId.Create("memory-events", "m-late")).OnNextAsync(new TestEvent(4));
        var droppedWithLate = memory.DroppedEventCount;
        var queuedLate = memory.GetQueuedCount(StreamId.Create("memory-events", "m-late"));
        var activatedDuringStop = catalog.TryGet(GrainId.Create(typeof(MemorySubscriberGrain).FullName!, "m-late"), out _);
        probe.Signal("m-busy/gate/1");
        release.SetResult();
        await stop;

        Assert.Equal(2, droppedWaiting);
        Assert.Equal(3, droppedWithLate);
        Assert.Equal(0, queuedLate);
        Assert.False(activatedDuringStop);
        Assert.Empty(probe.GetLog("m-late/activated"));
        Assert.Equal(["1@0"], probe.GetLog("m-busy/received"));
    }

    [Fact]
    public async Task GracefulStop_LetsOnDeactivateAsyncPublishToAMemoryStream_DroppingAndCountingTheEvent()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var memory = (MemoryStreamProvider)cluster.Client.GetStreamProvider("memory");
        await cluster.Client.GetGrain<INoticeOnDeactivateGrain>("notifier").AddLater(7);
        var droppedBefore = memory.DroppedEventCount;

        await cluster.Cluster.StopAllSilosAsync(Ct);

        // The notice published in OnDeactivateAsync is dropped (delivery has stopped) instead of failing the
        // deactivation, so the write after it is done.
        var state = new GrainState<CounterState>(new CounterState());
        await cluster.Storage.ReadStateAsync("counter", GrainId.Create("notice-on-deactivate", "notifier"), state, Ct);
        Assert.Equal(7, state.State.Value);
        Assert.Equal(droppedBefore + 1, memory.DroppedEventCount);
    }

    [Fact]
    public async Task GracefulStop_RefusesACall_ThatPassedTheStoppingCheck_BeforeItsActivationEnteredTheCatalog()
    {
        var probe = new TestProbe();
        using var clock = new HoldingTimeProvider(new FakeTimeProvider());
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage, clock))
            .Build();
        await cluster.DeployAsync(Ct);
        await cluster.Client.GetGrain<IStuckDeactivationGrain>("stop-holder").GetActivationId();
        var late = cluster.Client.GetGrain<ICounterBGrain>("late");

        // Held at its first clock read inside the catalog's delivery (its new activation's, in its constructor), the call
        // has passed the catalog's stopping check (delivery's first step) and its activation is not yet in the catalog.
        // Held before that check instead, the call would be refused by it with the same message, and prove nothing.
        var call = Task.Run(async () =>
        {
            clock.HoldThisFlowAtFirstReadWithin(typeof(Catalog).GetMethod(nameof(Catalog.Deliver))!);
            return await late.AddLater(5);
        }, Ct);
        await clock.Held.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        // "stop-holder" deactivating means the stop has taken its list of activations; its deactivation keeps the stop
        // (and the silo) going while the held call goes on.
        var stop = cluster.StopAllSilosAsync(Ct);
        await probe.WaitAsync("stop-holder/deactivating");
        clock.Release();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        probe.Signal("stop-holder/deactivate-gate");
        await stop;
        Assert.Equal("The silo is shutting down; counter-b/late cannot be activated.", error.Message);
    }

    [Fact]
    public async Task GracefulStop_RefusesAStatelessWorkerCall_ThatPassedTheStoppingCheck_BeforeItsWorkerJoinedItsGroup()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var runtime = cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>();
        await cluster.Client.GetGrain<IStuckDeactivationGrain>("stop-holder").GetActivationId();

        // "stop-holder" deactivating means the stop has stopped accepting calls and taken its list of activations; its
        // deactivation keeps the stop (and the silo) going meanwhile.
        var stop = cluster.Cluster.StopAllSilosAsync(Ct);
        await cluster.Probe.WaitAsync("stop-holder/deactivating");

        // No clock read falls between the catalog's stopping check and a worker group's lock (a worker is created under
        // it, where the stop's list would wait for it), so the call is played on from that check: its group, made after
        // the stop took its list, adds a worker for it.
        var grainId = GrainId.Create("stateless-work", "7");
        var group = new StatelessWorkerGroup(grainId, runtime, maxWorkers: 3);
        var error = Record.Exception(() => group.TryDeliver(new Message(grainId, new WorkRequest("late"), null, null, long.MaxValue)));
        var workersLeft = group.Count;
        cluster.Probe.Signal("7/gate/late");
        cluster.Probe.Signal("stop-holder/deactivate-gate");
        await stop;

        Assert.Equal("The silo is shutting down; stateless-work/7 cannot be activated.", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Equal(0, workersLeft);
        Assert.Equal(0, cluster.Probe.Count("7/constructed"));
    }

    [Fact]
    public async Task ActivationTimeout_CancelsOnActivateAsync_AndFailsTheCallsWaitingForIt()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o =>
        {
            o.ActivationTimeout = TimeSpan.FromSeconds(5);
            o.ResponseTimeout = TimeSpan.FromMinutes(5);
        }));
        cluster.Probe.SetFlag("stuck/gated", true);
        var call = cluster.Client.GetGrain<IFailingActivationGrain>("stuck").Ping();
        await cluster.Probe.WaitAsync("stuck/activating");

        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(cluster.Probe.IsSignaled("stuck/activation-cancelled"));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("did not complete within 00:00:05", error.Message, StringComparison.Ordinal);
        Assert.True(cluster.Probe.IsSignaled("stuck/activation-cancelled"));

        // The next call activates the grain again; with the gate open it answers.
        cluster.Probe.Signal("stuck/activate-gate");
        Assert.Equal("pong", await cluster.Client.GetGrain<IFailingActivationGrain>("stuck").Ping());
    }

    [Fact]
    public async Task GracefulStop_DeactivatesTheOthers_WhenAnActivatingGrainsTokenCallbackThrows()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        await cluster.Client.GetGrain<ICounterBGrain>("saved").AddLater(5);
        cluster.Probe.SetFlag("throwing/gated", true);
        cluster.Probe.SetFlag("throwing/throwing-cancel-callback", true);
        var call = cluster.Client.GetGrain<IFailingActivationGrain>("throwing").Ping();
        await cluster.Probe.WaitAsync("throwing/activating");

        // The stop cancels the activation's token first; the grain's callback throwing there broke the stop off before any
        // activation was deactivated (state written in OnDeactivateAsync was lost).
        await cluster.Cluster.StopAllSilosAsync(Ct);

        var state = new GrainState<CounterState>(new CounterState());
        await cluster.Storage.ReadStateAsync("counter", GrainId.Create("counter-b", "saved"), state, Ct);
        Assert.Equal(5, state.State.Value);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        Assert.Contains("before its activation completed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActivationTimeout_FailsTheWaitingCalls_WhenTheGrainsTokenCallbackThrows()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o =>
        {
            o.ActivationTimeout = TimeSpan.FromSeconds(5);
            o.ResponseTimeout = TimeSpan.FromMinutes(5);
        }));
        cluster.Probe.SetFlag("throwing-timeout/gated", true);
        cluster.Probe.SetFlag("throwing-timeout/throwing-cancel-callback", true);
        var call = cluster.Client.GetGrain<IFailingActivationGrain>("throwing-timeout").Ping();
        await cluster.Probe.WaitAsync("throwing-timeout/activating");

        // The timeout cancels on a timer thread, where the callback's exception went unhandled (a system timer's thread
        // ends the process).
        cluster.Time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("did not complete within 00:00:05", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeactivationTimeout_BoundsAStuckOnDeactivateAsync_AndANewActivationTakesTheCalls()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o =>
        {
            o.DeactivationTimeout = TimeSpan.FromSeconds(5);
            o.ResponseTimeout = TimeSpan.FromMinutes(5);
        }));
        var grain = cluster.Client.GetGrain<IStuckDeactivationGrain>("stuck-deactivation");
        var first = await grain.GetActivationId();
        var timers = cluster.Time.ActiveTimerCount;
        await grain.Deactivate();
        await cluster.Probe.WaitAsync("stuck-deactivation/deactivating");

        // The deadline is armed just after OnDeactivateAsync starts waiting: moving the clock before that (a busy machine)
        // put it 4 s later, and the call below waited 20 s for nothing.
        await cluster.Time.WaitForActiveTimerCountAsync(timers + 1).WaitAsync(TimeSpan.FromSeconds(20), Ct);

        var next = grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(next.IsCompleted);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.NotEqual(first, await next.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.False(cluster.Probe.IsSignaled("stuck-deactivation/deactivate-ended"));
        cluster.Probe.Signal("stuck-deactivation/deactivate-gate");
    }

    [Theory]
    [InlineData(nameof(SiloOptions.ActivationTimeout))]
    [InlineData(nameof(SiloOptions.DeactivationTimeout))]
    public async Task ActivationOrDeactivationTimeout_BeyondTheSystemTimerLimit_IsRefusedAtStart(string option)
    {
        // Accepted, TimeSpan.MaxValue ("never") hung every activation for good (its cancellation could not be created)
        // and made a graceful stop throw (its wait could not be armed).
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o =>
        {
            if (option == nameof(SiloOptions.ActivationTimeout))
            {
                o.ActivationTimeout = TimeSpan.MaxValue;
            }
            else
            {
                o.DeactivationTimeout = TimeSpan.MaxValue;
            }
        })));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"SiloOptions.{option} must be positive and at most", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulStop_ThatTheHostGivesUpOn_StillEnds_WithoutThrowing()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var stuck = cluster.Client.GetGrain<ISingleWorkGrain>(7).Work("stuck");
        await cluster.Probe.WaitAsync("7/entered/stuck");

        // A turn that never ends holds its activation's deactivation; the host's shutdown timeout ends the wait (the fake
        // clock never reaches DeactivationTimeout). The stop reports and finishes instead of failing the host's stop.
        using var hostGivesUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await cluster.Cluster.StopAllSilosAsync(hostGivesUp.Token);

        Assert.False(cluster.Probe.IsSignaled("7/deactivated"));
        cluster.Probe.Signal("7/gate/stuck");
        await stuck;
    }

    [Fact]
    public async Task Kill_SkipsDeactivation_SoUnwrittenStateIsLost()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        await cluster.Client.GetGrain<ICounterAGrain>("k").Add(1);
        await cluster.Client.GetGrain<ICounterAGrain>("k").AddLater(5);

        await cluster.Cluster.KillSiloAsync(Ct);
        await cluster.Cluster.DeployAsync(Ct);

        Assert.Equal(1, await cluster.Client.GetGrain<ICounterAGrain>("k").Get());
    }

    [Fact]
    public async Task Restart_KeepsStateWrittenOnDeactivation()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        await cluster.Client.GetGrain<ICounterBGrain>("k").AddLater(5);

        await cluster.Cluster.RestartSiloAsync(Ct);

        Assert.Equal(5, await cluster.Client.GetGrain<ICounterBGrain>("k").Get());
    }

    /// <summary>IWorkGrain.Work as the generated proxy sends it.</summary>
    private sealed class WorkRequest(string callId) : GrainRequest<Guid>
    {
        public override string InterfaceName => typeof(IStatelessWorkGrain).FullName!;

        public override string MethodName => nameof(IWorkGrain.Work);

        public override int MethodId => 0;

        protected override ValueTask<Guid> InvokeCore(object grain) => new(((IWorkGrain)grain).Work(callId));
    }
}
