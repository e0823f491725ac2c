using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

public interface IStreamSubscriberGrain : IGrainWithStringKey
{
    Task Ping();
}
