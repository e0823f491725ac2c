using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>[StatelessWorker]: several activations of one id, up to the limit, never in the single-activation directory.</summary>
public sealed class StatelessWorkerTests
{
    [Fact]
    public async Task StatelessWorker_RunsConcurrentCallsInParallel_UpToItsLimitAndNeverBeyond()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = NewKey();
        var k = Text(key);
        var catalog = Catalog(cluster);
        var grainId = GrainId.Create("stateless-work", k);
        var grain = cluster.Client.GetGrain<IStatelessWorkGrain>(key);

        var calls = Enumerable.Range(1, 5).Select(i => grain.Work("c" + Text(i))).ToArray();
        for (var i = 1; i <= 3; i++)
        {
            await cluster.Probe.WaitAsync($"{k}/entered/c{i}");
        }

        var runningAtOnce = cluster.Probe.Count(k + "/running");
        var beyondLimitEntered = cluster.Probe.IsSignaled(k + "/entered/c4") || cluster.Probe.IsSignaled(k + "/entered/c5");
        var workers = catalog.GetWorkers(grainId).Length;
        var inDirectory = catalog.TryGet(grainId, out _);
        for (var i = 1; i <= 5; i++)
        {
            cluster.Probe.Signal($"{k}/gate/c{i}");
        }

        var activations = await Task.WhenAll(calls);

        Assert.Equal(3, runningAtOnce);
        Assert.False(beyondLimitEntered);
        Assert.Equal(3, workers);
        Assert.False(inDirectory);
        Assert.Equal(3, activations.Distinct().Count());
        Assert.Equal(3, cluster.Probe.Count(k + "/max-running"));
        Assert.Equal(3, cluster.Probe.Count(k + "/constructed"));
    }

    [Fact]
    public async Task StatelessWorker_ReusesAnIdleActivation_BeforeCreatingAnother()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = NewKey();
        var k = Text(key);
        var grain = cluster.Client.GetGrain<IStatelessWorkGrain>(key);
        cluster.Probe.Signal(k + "/gate/a");
        cluster.Probe.Signal(k + "/gate/b");
        cluster.Probe.Signal(k + "/gate/c");

        var first = await grain.Work("a");
        var second = await grain.Work("b");
        var third = await grain.Work("c");

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Equal(1, cluster.Probe.Count(k + "/constructed"));
    }

    [Fact]
    public async Task StatelessWorker_IdleActivationsAreCollected()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = NewKey();
        var k = Text(key);
        var grain = cluster.Client.GetGrain<IStatelessWorkGrain>(key);
        var calls = Enumerable.Range(1, 3).Select(i => grain.Work("c" + Text(i))).ToArray();
        for (var i = 1; i <= 3; i++)
        {
            await cluster.Probe.WaitAsync($"{k}/entered/c{i}");
            cluster.Probe.Signal($"{k}/gate/c{i}");
        }

        var before = await Task.WhenAll(calls);

        cluster.Time.Advance(TimeSpan.FromMinutes(16));
        var reasons = await cluster.Probe.WaitForLogAsync(k + "/deactivated", 3);
        cluster.Probe.Signal(k + "/gate/after");
        var after = await grain.Work("after");

        Assert.Equal(["ActivationIdle", "ActivationIdle", "ActivationIdle"], reasons);
        Assert.DoesNotContain(after, before);
        Assert.Equal(4, cluster.Probe.Count(k + "/constructed"));
    }

    [Fact]
    public async Task SingleActivationGrain_OfTheSameShape_RunsOneCallAtATime()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = NewKey();
        var k = Text(key);
        var catalog = Catalog(cluster);
        var grain = cluster.Client.GetGrain<ISingleWorkGrain>(key);

        var calls = Enumerable.Range(1, 3).Select(i => grain.Work("c" + Text(i))).ToArray();
        await cluster.Probe.WaitAsync(k + "/entered/c1");
        var othersEntered = cluster.Probe.IsSignaled(k + "/entered/c2") || cluster.Probe.IsSignaled(k + "/entered/c3");
        var inDirectory = catalog.TryGet(GrainId.Create("single-work", k), out _);
        for (var i = 1; i <= 3; i++)
        {
            cluster.Probe.Signal($"{k}/gate/c{i}");
        }

        var activations = await Task.WhenAll(calls);

        Assert.False(othersEntered);
        Assert.True(inDirectory);
        Assert.Single(activations.Distinct());
        Assert.Equal(1, cluster.Probe.Count(k + "/max-running"));
        Assert.Equal(1, cluster.Probe.Count(k + "/constructed"));
    }

    [Fact]
    public void StatelessWorkerAttribute_DefaultsToProcessorCount_AndRefusesLessThanOne()
    {
        Assert.Equal(Environment.ProcessorCount, new StatelessWorkerAttribute().MaxLocalWorkers);
        Assert.Equal(3, new StatelessWorkerAttribute(3).MaxLocalWorkers);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatelessWorkerAttribute(0));
    }

    private static Catalog Catalog(IsolatedCluster cluster) => cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>().Catalog;

    private static long NewKey() => Random.Shared.NextInt64(1, long.MaxValue);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
