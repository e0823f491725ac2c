namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// Subscribes to the memory stream "late-subscriptions" in its OnDeactivateAsync, as a grain that re-subscribes from a
/// handler shared with its activation might, and logs under "key/subscribe" whether the subscription was taken.
/// </summary>
public sealed class SubscribeOnDeactivateGrain(TestProbe probe) : Grain, ISubscribeOnDeactivateGrain
{
    public const string Namespace = "late-subscriptions";

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        try
        {
            await this.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create(Namespace, key)).SubscribeAsync((_, _) => Task.CompletedTask);
            probe.Log(key + "/subscribe", "taken");
        }
        catch (InvalidOperationException ex)
        {
            probe.Log(key + "/subscribe", ex.Message);
        }
    }
}
