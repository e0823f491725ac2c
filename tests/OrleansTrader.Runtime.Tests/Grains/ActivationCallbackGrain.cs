namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Its OnActivateAsync calls B of the same key (which, when B activated it, is waiting on it).</summary>
[GrainType("C")]
public sealed class ActivationCallbackGrain : Grain, IActivationCallbackGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        GrainFactory.GetGrain<IChainBGrain>(this.GetPrimaryKeyString()).Ping();

    public Task Ping() => Task.CompletedTask;
}
