namespace OrleansTrader.Runtime.Tests.Grains;

public interface IChainBGrain : IGrainWithStringKey
{
    Task CallA(string key);

    Task CallANotice(string key);

    Task<string> ReadA(string key);

    /// <summary>Calls C, whose OnActivateAsync calls back into <see cref="Ping"/>.</summary>
    Task CallActivatingC(string key);

    Task Ping();
}
