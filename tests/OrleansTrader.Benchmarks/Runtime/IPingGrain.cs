using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

public interface IPingGrain : IGrainWithStringKey
{
    ValueTask<int> Ping(int value);
}
