namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("A")]
public sealed class ChainAGrain : Grain, IChainAGrain
{
    public Task CallBThenBack(string key) => GrainFactory.GetGrain<IChainBGrain>(key).CallA(key);

    public Task Ping() => Task.CompletedTask;
}
