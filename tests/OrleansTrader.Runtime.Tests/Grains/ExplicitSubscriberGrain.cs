namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Subscribes explicitly (not implicitly) to a memory stream; events arrive as turns of this activation.</summary>
public sealed class ExplicitSubscriberGrain(TestProbe probe) : Grain, IExplicitSubscriberGrain
{
    public async Task Subscribe(string streamKey) =>
        await Stream(streamKey).SubscribeAsync((e, _) =>
        {
            probe.LogAndNotify(this.GetPrimaryKeyString() + "/received", e.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        });

    public async Task<int> CountHandles(string streamKey) => (await Stream(streamKey).GetAllSubscriptionHandles()).Count;

    public async Task UnsubscribeAll(string streamKey)
    {
        foreach (var handle in await Stream(streamKey).GetAllSubscriptionHandles())
        {
            await handle.UnsubscribeAsync();
        }
    }

    private IAsyncStream<TestEvent> Stream(string streamKey) =>
        this.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("explicit", streamKey));
}
