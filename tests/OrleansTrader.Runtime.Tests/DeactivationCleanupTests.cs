using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// What a deactivation lets go of at once, before the clock moves on: a check made only after a later due time passes
/// finds a timer that was never stopped fired once into a dead activation and gone, as if it had been stopped.
/// </summary>
public sealed class DeactivationCleanupTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deactivation_StopsAnArmedTimer_BeforeItsNextDueTime()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-disarmed");
        await grain.Ping();
        var timersBefore = cluster.Time.ActiveTimerCount;
        await grain.StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), interleave: false, gated: false);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-disarmed/tick-end/1");

        // Re-armed for the next hour once its tick ended.
        await cluster.Time.WaitForActiveTimerCountAsync(timersBefore + 1).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await grain.Deactivate();
        await cluster.Probe.WaitAsync("t-disarmed/deactivated");

        Assert.Equal(timersBefore, cluster.Time.ActiveTimerCount);
        Assert.Equal(1, cluster.Probe.Count("t-disarmed/ticks"));
    }

    [Fact]
    public async Task ASubscriptionMadeInOnDeactivateAsync_IsRefused_SoNoneOutlivesTheActivation()
    {
        // The activation's subscriptions are let go of before OnDeactivateAsync runs: one taken there stayed with the
        // provider, and each event of the stream activated the grain again for a subscription no activation held.
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ISubscribeOnDeactivateGrain>("late-sub");
        await grain.Deactivate();
        var runtime = cluster.Cluster.ServiceProvider.GetRequiredService<GrainRuntime>();
        foreach (var activation in runtime.Catalog.Snapshot().Where(a => a.GrainInstance is SubscribeOnDeactivateGrain))
        {
            await activation.Deactivated.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        var provider = (MemoryStreamProvider)runtime.Streams.Get("memory");
        var subscribers = provider.Subscriptions.Get(StreamId.Create(SubscribeOnDeactivateGrain.Namespace, "late-sub")).Length;

        Assert.Equal(0, subscribers);
        Assert.Equal(
            "Cannot subscribe OrleansTrader.Runtime.Tests.Grains.SubscribeOnDeactivateGrain/late-sub to stream late-subscriptions/late-sub (memory): it is deactivating.",
            Assert.Single(cluster.Probe.GetLog("late-sub/subscribe")));
    }

    [Fact]
    public async Task ACallDuringOnDeactivateAsync_WaitsForItToEnd_BeforeTheNextActivationTakesIt()
    {
        // One activation at a time: the next one reads what the last one saves in OnDeactivateAsync, so the grain leaves
        // the catalog only after it. The clock is fake: nothing but the gate ends this OnDeactivateAsync.
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IStuckDeactivationGrain>("deactivating");
        var first = await grain.GetActivationId();
        await grain.Deactivate();
        await cluster.Probe.WaitAsync("deactivating/deactivating");

        var next = grain.GetActivationId();
        var answeredDuringDeactivation = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(5), Ct)) == next;
        cluster.Probe.Signal("deactivating/deactivate-gate");

        Assert.False(answeredDuringDeactivation);
        Assert.NotEqual(first, await next.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        Assert.True(cluster.Probe.IsSignaled("deactivating/deactivate-ended"));
    }

    [Fact]
    public async Task IdleCollection_CountsTheAgeFromTheLastCall_NotFromTheActivation()
    {
        // ProbeGrain's collection age is two minutes; the silo's collection pass runs every minute.
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IProbeGrain>("called-again");
        var first = await grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromSeconds(90));
        var afterNinetySeconds = await grain.GetActivationId();

        // The pass at two minutes finds it idle for 30 seconds (two minutes since it activated).
        cluster.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(first, afterNinetySeconds);
        Assert.Equal(first, await grain.GetActivationId());
        Assert.Empty(cluster.Probe.GetLog("called-again/deactivated"));
    }
}
