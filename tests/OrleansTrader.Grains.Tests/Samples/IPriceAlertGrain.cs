using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Samples;

/// <summary>The sample of docs/runtime.md, "Your own grains and their cluster tests": one alert per symbol.</summary>
public interface IPriceAlertGrain : IGrainWithStringKey
{
    Task SetThresholdAsync(decimal above);

    [ReadOnly]
    Task<PriceAlert> GetAsync();
}
