using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>A test's client and grain references outlive a silo restart, as an Orleans TestCluster's do.</summary>
public sealed class TestClusterRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReferenceTakenBeforeARestart_ReachesTheGrainInTheNextSilo_WithItsState()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var counter = cluster.Client.GetGrain<ICounterAGrain>("kept-reference");
        Assert.Equal(2, await counter.Add(2));

        await cluster.Cluster.RestartSiloAsync(Ct);

        Assert.Equal(5, await counter.Add(3));
    }

    [Fact]
    public async Task FactoryTakenBeforeACrashAndRestart_GivesReferencesToTheNextSilo()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var factory = cluster.Cluster.GrainFactory;
        Assert.Equal(4, await factory.GetGrain<ICounterAGrain>("kept-factory").Add(4));

        await cluster.Cluster.KillAndRestartSiloAsync(Ct);

        Assert.Equal(5, await factory.GetGrain<ICounterAGrain>("kept-factory").Add(1));
    }

    [Fact]
    public async Task ReferenceUsedWhileTheClusterIsStopped_IsRefusedAsTheSiloShutsDown()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var counter = cluster.Client.GetGrain<ICounterAGrain>("stopped");

        await cluster.Cluster.StopAllSilosAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.Add(1));
        Assert.Equal("The silo is shutting down; counter-a/stopped cannot be activated.", error.Message);
    }
}
