namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Its OnDeactivateAsync ignores its token and waits for "{key}/deactivate-gate", which a test may never open.</summary>
public sealed class StuckDeactivationGrain(TestProbe probe) : Grain, IStuckDeactivationGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public Task<Guid> GetActivationId() => Task.FromResult(_activationId);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        probe.Signal(key + "/deactivating");
        await probe.WhenSignaled(key + "/deactivate-gate");
        probe.Signal(key + "/deactivate-ended");
    }
}
