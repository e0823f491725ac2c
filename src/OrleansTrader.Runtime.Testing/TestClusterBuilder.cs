namespace OrleansTrader.Runtime.Testing;

/// <summary>Builds a <see cref="TestCluster"/>: an in-process silo configured like a production one.</summary>
public sealed class TestClusterBuilder
{
    private readonly List<Action<ISiloBuilder>> _configurators = [];

    public TestClusterBuilder AddSiloBuilderConfigurator<TConfigurator>()
        where TConfigurator : ISiloConfigurator, new()
    {
        _configurators.Add(silo => new TConfigurator().Configure(silo));
        return this;
    }

    public TestClusterBuilder AddSiloBuilderConfigurator(Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configurators.Add(configure);
        return this;
    }

    public TestCluster Build() => new([.. _configurators]);
}
