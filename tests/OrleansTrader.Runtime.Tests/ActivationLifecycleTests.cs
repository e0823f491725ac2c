using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ActivationLifecycleTests(ClusterFixture fixture)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TestProbe _probe = fixture.Probe;
    private readonly IClusterClient _client = fixture.Cluster.Client;

    [Fact]
    public async Task FailedActivation_FailsQueuedCalls_AndLaterCallRetries()
    {
        var key = NewKey();
        _probe.SetFlag(key + "/fail", true);
        _probe.SetFlag(key + "/gated", true);
        var grain = _client.GetGrain<IFailingActivationGrain>(key);

        var queued = Enumerable.Range(0, 3).Select(_ => grain.Ping()).ToArray();
        await _probe.WaitAsync(key + "/activating");
        _probe.Signal(key + "/activate-gate");
        foreach (var call in queued)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call);
            Assert.Equal("activation failed for " + key, error.Message);
        }

        _probe.SetFlag(key + "/fail", false);
        var answer = await grain.Ping();

        Assert.Equal("pong", answer);
        Assert.Equal(2, _probe.Count(key + "/activations"));
    }

    [Fact]
    public async Task State_IsRead_BeforeOnActivateAsync()
    {
        var key = NewKey();
        var stored = new GrainState<CounterState>(new CounterState { Value = 41 });
        await fixture.Storage.WriteStateAsync("counter", GrainId.Create("counter-a", key), stored, Ct);

        var grain = _client.GetGrain<ICounterAGrain>(key);

        Assert.Equal(41, await grain.SeenInActivate());
        Assert.Equal(42, await grain.Add(1));
    }

    [Fact]
    public async Task InconsistentState_FaultsCaller_AndDeactivatesTheActivation()
    {
        var key = NewKey();
        var grain = _client.GetGrain<ICounterAGrain>(key);
        Assert.Equal(1, await grain.Add(1));
        var firstActivation = await grain.GetActivationId();
        var grainId = GrainId.Create("counter-a", key);
        var other = new GrainState<CounterState>(new CounterState());
        await fixture.Storage.ReadStateAsync("counter", grainId, other, Ct);
        other.State = new CounterState { Value = 100 };
        await fixture.Storage.WriteStateAsync("counter", grainId, other, Ct);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Add(1));

        Assert.NotEqual(firstActivation, await grain.GetActivationId());
        Assert.Equal(101, await grain.Add(1));
    }

    [Fact]
    public async Task AnInterleavingCallback_StillRuns_WhileItsActivationWaitsToDeactivate()
    {
        // A graceful stop asks every activation to deactivate while turns run; a turn waiting on a callback into its own
        // [AlwaysInterleave] method (a breaker notifying the account that is calling it) must not wait for the timeout.
        await using var cluster = await IsolatedCluster.StartAsync();

        await cluster.Client.GetGrain<IChainAGrain>("callback").DeactivateThenCallBack("callback").WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task DeactivateOnIdle_RunsOnDeactivateAsync_AndNextCallCreatesNewActivation()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var first = await grain.GetActivationId();

        await grain.Deactivate();
        var reasons = await _probe.WaitForLogAsync(key + "/deactivated", 1);

        Assert.Equal(["ApplicationRequested"], reasons);
        Assert.NotEqual(first, await grain.GetActivationId());
    }

    [Fact]
    public async Task DeactivateOnIdle_WaitsForTheRunningTurn_BeforeOnDeactivateAsync()
    {
        // OnDeactivateAsync (where grains save) must not run beside a turn that may still change the state it saves.
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var call = grain.DeactivateThenEnter("a");
        await _probe.WaitAsync(key + "/entered/a");

        // An interleaving call still reaches this activation while the turn that asked to deactivate runs.
        var duringTurn = await grain.GetLog();
        var deactivatedDuringTurn = _probe.GetLog(key + "/deactivated").Count;
        _probe.Signal(key + "/gate/a");
        await call;

        Assert.Equal(["enter a"], duringTurn);
        Assert.Equal(0, deactivatedDuringTurn);
        Assert.Equal(["ApplicationRequested"], await _probe.WaitForLogAsync(key + "/deactivated", 1));
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");
}
