using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Testing;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>The runtime's instruments, read through a MeterListener bound to one private silo.</summary>
public sealed class RuntimeMetricsTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly string ProbeType = "grain_type=" + typeof(ProbeGrain).FullName;
    private static readonly string FailingType = "grain_type=" + typeof(FailingActivationGrain).FullName;
    private static readonly string WorkerType = "grain_type=stateless-work";
    private readonly MemoryDurableStreamLog _log = new();

    [Fact]
    public async Task Activations_GoUpOnActivation_AndDownOnDeactivation()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        using var activations = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.runtime.activations");
        Assert.Equal(0, activations.Observe()[ProbeType]);
        var first = cluster.Client.GetGrain<IProbeGrain>("first");
        var second = cluster.Client.GetGrain<IProbeGrain>("second");

        await first.Echo(1);
        await second.Echo(2);
        await first.Echo(3);
        var afterCalls = activations.Observe()[ProbeType];
        var activation = Activation(cluster, GrainId.Create(typeof(ProbeGrain).FullName!, "first"));
        await first.Deactivate();
        await activation.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var afterDeactivation = activations.Observe()[ProbeType];
        await first.Echo(4);

        Assert.Equal(2, afterCalls);
        Assert.Equal(1, afterDeactivation);
        Assert.Equal(2, activations.Observe()[ProbeType]);
    }

    [Fact]
    public async Task Activations_DoNotCountAFailedActivation()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        using var activations = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.runtime.activations");
        cluster.Probe.SetFlag("broken/fail", true);
        cluster.Probe.SetFlag("broken/gated", true);
        var grain = cluster.Client.GetGrain<IFailingActivationGrain>("broken");

        var call = grain.Ping();
        await cluster.Probe.WaitAsync("broken/activating");
        var whileActivating = activations.Observe()[FailingType];
        var activation = Activation(cluster, GrainId.Create(typeof(FailingActivationGrain).FullName!, "broken"));
        cluster.Probe.Signal("broken/activate-gate");
        await Assert.ThrowsAsync<InvalidOperationException>(() => call);
        await activation.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal(1, whileActivating);
        Assert.Equal(0, activations.Observe()[FailingType]);
    }

    [Fact]
    public async Task Activations_CountEveryStatelessWorker_AndUncountCollectedWorkers()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        using var activations = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.runtime.activations");
        const long Key = 42;
        var k = Key.ToString(CultureInfo.InvariantCulture);
        var grain = cluster.Client.GetGrain<IStatelessWorkGrain>(Key);
        var calls = Enumerable.Range(1, 3).Select(i => grain.Work("c" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        for (var i = 1; i <= 3; i++)
        {
            await cluster.Probe.WaitAsync($"{k}/entered/c{i}");
        }

        var whileWorking = activations.Observe()[WorkerType];
        var workers = Catalog(cluster).GetWorkers(GrainId.Create("stateless-work", k));
        for (var i = 1; i <= 3; i++)
        {
            cluster.Probe.Signal($"{k}/gate/c{i}");
        }

        await Task.WhenAll(calls);
        cluster.Time.Advance(TimeSpan.FromMinutes(16));
        foreach (var worker in workers)
        {
            await worker.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        var afterCollection = activations.Observe()[WorkerType];
        cluster.Probe.Signal(k + "/gate/after");
        await grain.Work("after");

        Assert.Equal(3, workers.Length);
        Assert.Equal(3, whileWorking);
        Assert.Equal(0, afterCollection);
        Assert.Equal(1, activations.Observe()[WorkerType]);
    }

    [Fact]
    public async Task Activations_UncountStatelessWorkers_WhenTheSiloIsKilled()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        using var activations = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.runtime.activations");
        const long Key = 43;
        var k = Key.ToString(CultureInfo.InvariantCulture);
        cluster.Probe.Signal(k + "/gate/a");
        await cluster.Client.GetGrain<IStatelessWorkGrain>(Key).Work("a");
        var beforeKill = activations.Observe()[WorkerType];

        // The killed silo's meter goes with its host, so the count behind the instrument is read directly afterwards.
        var count = Assert.Single(Catalog(cluster).GetWorkers(GrainId.Create("stateless-work", k))).Class.Activations;
        await cluster.Cluster.KillSiloAsync(Ct);

        Assert.Equal(1, beforeKill);
        Assert.Equal(0, count.Value);
    }

    [Fact]
    public async Task StreamLag_TracksStoredExplicitSubscriptions()
    {
        await using var cluster = await StartDurableAsync(silo => silo.AddIncomingGrainCallFilter<StreamGateFilter>());
        using var lag = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.streams.lag");
        var subscriber = cluster.Client.GetGrain<IStoredSubscriberGrain>("lagging");
        await subscriber.Subscribe();
        cluster.Probe.SetFlag("lagging/hold-stream", true);
        var streamId = StreamId.Create(StoredSubscriberGrain.Namespace, "lagging");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(streamId);

        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitAsync("lagging/stream-held");
        var behind = lag.Observe();
        cluster.Probe.Signal("lagging/stream-gate");
        await cluster.Probe.WaitForLogAsync("lagging/received", 3);
        var caughtUp = await UntilAsync(lag.Observe, l => l[StoredLagTags] == 0, "the lag to return to 0");

        Assert.Equal(3, behind[StoredLagTags]);
        Assert.Equal(0, caughtUp[StoredLagTags]);
        Assert.Single(await _log.ReadSubscriptionsAsync(Ct));
        await cluster.Cluster.StopAllSilosAsync(Ct); // checkpoints are coalesced; a graceful stop stores them
        Assert.Equal(3, await _log.GetCheckpointAsync(streamId, GrainId.Create(typeof(StoredSubscriberGrain).FullName!, "lagging").ToString(), Ct));
    }

    [Fact]
    public async Task StreamLag_CountsUncheckpointedEvents_AndIsZeroAfterTheConsumerCatchesUp()
    {
        await using var cluster = await StartDurableAsync();
        using var lag = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.streams.lag");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", "lagging"));

        await stream.OnNextBatchAsync([new TestEvent(1, "block"), new TestEvent(2), new TestEvent(3)]);
        await cluster.Probe.WaitAsync("lagging/entered/1");
        var behind = lag.Observe();
        cluster.Probe.Signal("lagging/gate/1");
        await cluster.Probe.WaitForLogAsync("lagging/received", 3);
        var caughtUp = await UntilAsync(lag.Observe, l => l[LagTags] == 0, "the lag to return to 0");

        Assert.Equal(3, behind[LagTags]);
        Assert.Equal(0, caughtUp[LagTags]);
        await cluster.Cluster.StopAllSilosAsync(Ct); // checkpoints are coalesced; a graceful stop stores them
        Assert.Equal(3, await _log.GetCheckpointAsync(StreamId.Create("durable-events", "lagging"), GrainId.Create(typeof(DurableSubscriberGrain).FullName!, "lagging").ToString(), Ct));
    }

    [Fact]
    public async Task DeadLetters_AreCounted_ByProviderAndNamespace()
    {
        await using var cluster = await StartDurableAsync();
        using var deadLettered = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.streams.dead_lettered");
        var stream = cluster.Client.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create("durable-events", "poisoned"));

        await stream.OnNextBatchAsync([new TestEvent(1), new TestEvent(2, "poison"), new TestEvent(3)]);
        await cluster.Probe.WaitForLogAsync("poisoned/received", 2);

        Assert.Single(await _log.ReadDeadLettersAsync(StreamId.Create("durable-events", "poisoned"), Ct));
        Assert.Equal(1, deadLettered.Sum(LagTags));
    }

    private static string LagTags => "namespace=durable-events,provider=durable";

    private static string StoredLagTags => "namespace=" + StoredSubscriberGrain.Namespace + ",provider=durable";

    private static Catalog Catalog(IsolatedCluster cluster) => cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>().Catalog;

    private static ActivationData Activation(IsolatedCluster cluster, GrainId grainId)
    {
        Assert.True(cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>().Catalog.TryGet(grainId, out var activation));
        return activation!;
    }

    /// <summary>Waits for background delivery (the checkpoint is saved after the last event is handled) with a deadline.</summary>
    private static async Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (20 * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "Timed out waiting for " + what);
            await Task.Delay(10, Ct);
        }
    }

    private Task<IsolatedCluster> StartDurableAsync(Action<ISiloBuilder>? configure = null) =>
        IsolatedCluster.StartAsync(silo =>
        {
            silo.AddDurableStreams("durable", _ => _log, o =>
            {
                o.MaxDeliveryAttempts = 3;
                o.RetryDelay = TimeSpan.Zero;
            });
            configure?.Invoke(silo);
        });
}
