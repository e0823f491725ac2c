using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

public sealed class PingGrain : Grain, IPingGrain
{
    public ValueTask<int> Ping(int value) => ValueTask.FromResult(value + 1);
}
