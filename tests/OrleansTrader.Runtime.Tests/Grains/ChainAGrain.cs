namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("A")]
public sealed class ChainAGrain(TestProbe probe) : Grain, IChainAGrain
{
    public Task CallBThenBack(string key) => GrainFactory.GetGrain<IChainBGrain>(key).CallA(key);

    public Task CallItself() => GrainFactory.GetGrain<IChainAGrain>(this.GetPrimaryKeyString()).Ping();

    public Task Ping() => Task.CompletedTask;

    public Task InterleavedCallBThenBack(string key) => GrainFactory.GetGrain<IChainBGrain>(key).CallA(key);

    public async Task DeactivateThenCallBack(string key)
    {
        DeactivateOnIdle();
        await GrainFactory.GetGrain<IChainBGrain>(key).CallANotice(key);
    }

    public Task Notice() => Task.CompletedTask;

    public async Task<string> ReadThroughB(string key)
    {
        probe.Signal(key + "/read-entered");
        await probe.WaitAsync(key + "/read-gate");
        return await GrainFactory.GetGrain<IChainBGrain>(key).ReadA(key);
    }

    public Task<string> Read() => Task.FromResult("read");
}
