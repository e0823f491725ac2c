using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

public interface IStorageGrain : IGrainWithStringKey
{
    Task<int> Increment();
}
