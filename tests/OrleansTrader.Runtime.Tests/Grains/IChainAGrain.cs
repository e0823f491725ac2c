namespace OrleansTrader.Runtime.Tests.Grains;

public interface IChainAGrain : IGrainWithStringKey
{
    Task CallBThenBack(string key);

    Task Ping();
}
