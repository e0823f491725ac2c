namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("A")]
public sealed class ChainAGrain : Grain, IChainAGrain
{
    public Task CallBThenBack(string key) => GrainFactory.GetGrain<IChainBGrain>(key).CallA(key);

    public Task Ping() => Task.CompletedTask;

    public async Task DeactivateThenCallBack(string key)
    {
        DeactivateOnIdle();
        await GrainFactory.GetGrain<IChainBGrain>(key).CallANotice(key);
    }

    public Task Notice() => Task.CompletedTask;
}
