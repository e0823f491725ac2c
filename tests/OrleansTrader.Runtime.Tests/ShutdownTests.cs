using OrleansTrader.Runtime.Tests.Grains;

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
}
