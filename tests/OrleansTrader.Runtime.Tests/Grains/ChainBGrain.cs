namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("B")]
public sealed class ChainBGrain : Grain, IChainBGrain
{
    public Task CallA(string key) => GrainFactory.GetGrain<IChainAGrain>(key).Ping();

    public Task CallANotice(string key) => GrainFactory.GetGrain<IChainAGrain>(key).Notice();
}
