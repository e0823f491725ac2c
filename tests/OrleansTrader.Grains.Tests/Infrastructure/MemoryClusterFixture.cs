namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>A shared in-memory trading cluster; tests use their own account ids and symbols, so they do not share data.</summary>
public sealed class MemoryClusterFixture : IAsyncLifetime
{
    private TradingCluster? _cluster;

    public TradingCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() => _cluster = await TradingCluster.StartAsync(new TradingClusterOptions());

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
