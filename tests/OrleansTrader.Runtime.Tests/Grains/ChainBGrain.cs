namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("B")]
public sealed class ChainBGrain : Grain, IChainBGrain
{
    public Task CallA(string key) => GrainFactory.GetGrain<IChainAGrain>(key).Ping();

    public Task CallANotice(string key) => GrainFactory.GetGrain<IChainAGrain>(key).Notice();

    public Task<string> ReadA(string key) => GrainFactory.GetGrain<IChainAGrain>(key).Read();

    public Task CallActivatingC(string key) => GrainFactory.GetGrain<IActivationCallbackGrain>(key).Ping();

    public Task Ping() => Task.CompletedTask;
}
