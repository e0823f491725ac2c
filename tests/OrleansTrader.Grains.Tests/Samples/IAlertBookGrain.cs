using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Samples;

/// <summary>A user's alerts: the second grain of the sample, which calls the first.</summary>
public interface IAlertBookGrain : IGrainWithStringKey
{
    Task AddAsync(string symbol, decimal above);

    Task<IReadOnlyList<PriceAlert>> ListAsync();
}
