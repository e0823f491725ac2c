using System.Globalization;

namespace OrleansTrader.Runtime.AdoNet.Tests;

[GrainType("subscriber")]
public sealed class SubscriberGrain(SubscriptionProbe probe) : Grain, ISubscriberGrain
{
    public const string Namespace = "subscribed";

    private string Key => this.GetPrimaryKeyString();

    private IAsyncStream<SubscriptionEvent> Stream =>
        this.GetStreamProvider("durable").GetStream<SubscriptionEvent>(StreamId.Create(Namespace, Key.Split('~')[0]));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var handles = await Stream.GetAllSubscriptionHandles();
        foreach (var handle in handles)
        {
            await handle.ResumeAsync(OnEventAsync);
        }

        probe.Log(Key + "/resumed", handles.Count.ToString(CultureInfo.InvariantCulture));
    }

    private int? _publishWhenDeactivated;
    private bool _unsubscribeWhenDeactivated;
    private long? _rewindWhenDeactivated;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_publishWhenDeactivated is { } number)
        {
            await Stream.OnNextAsync(new SubscriptionEvent(number));
        }

        if (_unsubscribeWhenDeactivated)
        {
            await UnsubscribeAll();
        }

        if (_rewindWhenDeactivated is { } sequence)
        {
            foreach (var handle in await Stream.GetAllSubscriptionHandles())
            {
                await handle.ResumeAsync(OnEventAsync, new StreamSequenceToken(sequence));
            }
        }
    }

    public Task PublishWhenDeactivated(int number)
    {
        _publishWhenDeactivated = number;
        return Task.CompletedTask;
    }

    public Task UnsubscribeWhenDeactivated()
    {
        _unsubscribeWhenDeactivated = true;
        return Task.CompletedTask;
    }

    public Task RewindWhenDeactivated(long sequence)
    {
        _rewindWhenDeactivated = sequence;
        return Task.CompletedTask;
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

    private Task OnEventAsync(SubscriptionEvent item, StreamSequenceToken? token)
    {
        probe.Log(Key + "/received", $"{item.Number}@{token?.SequenceNumber ?? 0}");
        return Task.CompletedTask;
    }
}
