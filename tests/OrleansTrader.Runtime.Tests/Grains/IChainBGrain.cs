namespace OrleansTrader.Runtime.Tests.Grains;

public interface IChainBGrain : IGrainWithStringKey
{
    Task CallA(string key);

    Task CallANotice(string key);
}
