using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.Tests;

/// <summary>Shows the ISiloConfigurator form of configuration.</summary>
public sealed class RecordingFilterConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter<RecordingFilter>();
}
