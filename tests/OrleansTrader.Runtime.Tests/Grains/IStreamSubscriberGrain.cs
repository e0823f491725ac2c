namespace OrleansTrader.Runtime.Tests.Grains;

public interface IStreamSubscriberGrain : IGrainWithStringKey
{
    Task<int> Ping();
}
