namespace OrleansTrader.Runtime.Tests.Grains;

public interface IExplicitSubscriberGrain : IGrainWithStringKey
{
    Task Subscribe(string streamKey);

    Task<int> CountHandles(string streamKey);

    Task UnsubscribeAll(string streamKey);
}
