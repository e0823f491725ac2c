namespace OrleansTrader.Runtime.Tests.Grains;

public interface IMemorySubscriberGrain : IStreamSubscriberGrain
{
}
