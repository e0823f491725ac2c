namespace OrleansTrader.Runtime.Tests.Grains;

public interface IFailingActivationGrain : IGrainWithStringKey
{
    Task<string> Ping();
}
