namespace OrleansTrader.Runtime.Tests.Grains;

public interface IDurableSubscriberGrain : IStreamSubscriberGrain
{
}
