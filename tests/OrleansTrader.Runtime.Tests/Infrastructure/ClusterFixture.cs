using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.Tests;

/// <summary>One silo shared by the tests of <see cref="ClusterCollection"/> (they use unique grain keys).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestProbe Probe { get; } = new();

    public MemoryGrainStorage Storage { get; } = new(new JsonGrainStateSerializer([TestJsonContext.Default]));

    public TestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, Probe, Storage))
            .AddSiloBuilderConfigurator<RecordingFilterConfigurator>()
            .Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
