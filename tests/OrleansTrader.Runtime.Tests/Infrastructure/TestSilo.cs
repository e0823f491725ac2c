using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>The silo configuration every test cluster starts from.</summary>
public static class TestSilo
{
    public static void Configure(ISiloBuilder silo, TestProbe probe, IGrainStorage storage, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddGrains(typeof(ProbeGrain).Assembly);
        silo.AddJsonSerializerContext(TestJsonContext.Default);
        silo.Services.AddSingleton(probe);
        silo.Services.AddKeyedSingleton(GrainStorageNames.Default, storage);
        silo.AddMemoryStreams("memory");
        if (timeProvider is not null)
        {
            silo.Services.AddSingleton(timeProvider);
        }
    }
}
