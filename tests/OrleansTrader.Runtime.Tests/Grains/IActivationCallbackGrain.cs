namespace OrleansTrader.Runtime.Tests.Grains;

public interface IActivationCallbackGrain : IGrainWithStringKey
{
    Task Ping();
}
