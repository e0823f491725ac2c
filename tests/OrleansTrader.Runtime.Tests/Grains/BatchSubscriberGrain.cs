using System.Globalization;

namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// Subscribes twice to its "batch-events" stream in OnActivateAsync: "all" logs every event as number#activation;
/// "first" logs too, and unsubscribes itself at an "unsubscribe" event. Kinds: "poison" fails, "conflict" throws an
/// ETag conflict, "block" waits for a gate (in "all").
/// </summary>
[ImplicitStreamSubscription("batch-events")]
public sealed class BatchSubscriberGrain(TestProbe probe) : Grain, IStreamSubscriberGrain
{
    private StreamSubscriptionHandle<TestEvent>? _first;
    private int _activation;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activation = probe.Increment(Key + "/activations");
        var stream = this.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("batch-events", Key));
        _first = await stream.SubscribeAsync(OnFirstAsync);
        await stream.SubscribeAsync(OnAllAsync);
    }

    public Task<int> Ping() => Task.FromResult(_activation);

    private async Task OnFirstAsync(TestEvent item, StreamSequenceToken? token)
    {
        probe.Log(Key + "/first", Entry(item));
        if (item.Kind == "unsubscribe")
        {
            await _first!.UnsubscribeAsync();
        }
    }

    private async Task OnAllAsync(TestEvent item, StreamSequenceToken? token)
    {
        switch (item.Kind)
        {
            case "poison":
                throw new InvalidOperationException("poison " + item.Number);
            case "conflict":
                throw new InconsistentStateException("conflict " + item.Number);
            case "block":
                probe.Signal($"{Key}/entered/{item.Number}");
                await probe.WaitAsync($"{Key}/gate/{item.Number}");
                break;
        }

        probe.LogAndNotify(Key + "/all", Entry(item));
    }

    private string Entry(TestEvent item) => string.Create(CultureInfo.InvariantCulture, $"{item.Number}#{_activation}");
}
