using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.Tests;

/// <summary>A private silo for tests that move a fake clock, restart or stop the silo.</summary>
public sealed class IsolatedCluster : IAsyncDisposable
{
    private IsolatedCluster(TestCluster cluster, TestProbe probe, FakeTimeProvider time, MemoryGrainStorage storage)
    {
        Cluster = cluster;
        Probe = probe;
        Time = time;
        Storage = storage;
    }

    public TestCluster Cluster { get; }

    public TestProbe Probe { get; }

    public FakeTimeProvider Time { get; }

    public MemoryGrainStorage Storage { get; }

    public IClusterClient Client => Cluster.Client;

    public static async Task<IsolatedCluster> StartAsync(Action<ISiloBuilder>? configure = null)
    {
        var probe = new TestProbe();
        var time = new FakeTimeProvider();
        var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        var builder = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage, time));
        if (configure is not null)
        {
            builder.AddSiloBuilderConfigurator(configure);
        }

        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return new IsolatedCluster(cluster, probe, time, storage);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
