namespace OrleansTrader.Runtime.Testing;

/// <summary>Configures each silo a <see cref="TestCluster"/> starts (also on restart).</summary>
public interface ISiloConfigurator
{
    void Configure(ISiloBuilder siloBuilder);
}
