using System.Globalization;

namespace OrleansTrader.Runtime.Tests.Grains;

public sealed class StoredSubscriberGrain(TestProbe probe) : Grain, IStoredSubscriberGrain
{
    public const string Namespace = "stored-events";

    private string Key => this.GetPrimaryKeyString();

    private IAsyncStream<TestEvent> Stream =>
        this.GetStreamProvider("durable").GetStream<TestEvent>(StreamId.Create(Namespace, Key.Split('~')[0]));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.LogAndNotify(Key + "/activated", "activated");
        if (probe.GetFlag(Key + "/no-resume"))
        {
            return;
        }

        var handles = await Stream.GetAllSubscriptionHandles();
        foreach (var handle in handles)
        {
            await handle.ResumeAsync(OnEventAsync);
        }

        probe.LogAndNotify(Key + "/resumed", handles.Count.ToString(CultureInfo.InvariantCulture));
    }

    public async Task Subscribe() => await Stream.SubscribeAsync(OnEventAsync);

    public async Task UnsubscribeAll()
    {
        foreach (var handle in await Stream.GetAllSubscriptionHandles())
        {
            await handle.UnsubscribeAsync();
        }
    }

    public async Task<int> CountHandles() => (await Stream.GetAllSubscriptionHandles()).Count;

    public async Task ResumeFrom(long sequence)
    {
        foreach (var handle in await Stream.GetAllSubscriptionHandles())
        {
            await handle.ResumeAsync(OnReplayAsync, new StreamSequenceToken(sequence));
        }
    }

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private Task OnEventAsync(TestEvent item, StreamSequenceToken? token)
    {
        probe.LogAndNotify(Key + "/received", $"{item.Number}@{token?.SequenceNumber ?? 0}");
        return Task.CompletedTask;
    }

    private Task OnReplayAsync(TestEvent item, StreamSequenceToken? token)
    {
        probe.LogAndNotify(Key + "/received", $"replay {item.Number}@{token?.SequenceNumber ?? 0}");
        return Task.CompletedTask;
    }
}
