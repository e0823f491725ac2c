namespace OrleansTrader.Runtime;

/// <summary>
/// Delivers consecutive stored events of one stream to the target activation in a single turn, in order, each to every
/// subscription it holds on that stream. <see cref="Delivered"/> counts the events fully delivered, so after a failure
/// the cursor knows where to resume; a subscription that disappeared mid-batch ends the batch early without failing.
/// </summary>
internal sealed class StreamBatchDeliveryRequest(string providerName, StreamId streamId, IReadOnlyList<StoredStreamEvent> events)
    : GrainVoidRequest
{
    private int _delivered;

    public override string InterfaceName => "stream";

    public override string MethodName => "OnNextBatch";

    public override int MethodId => 3;

    public int Delivered => Volatile.Read(ref _delivered);

    protected override ValueTask InvokeCore(object grain)
    {
        var activation = CallContext.Current?.Activation
            ?? throw new InvalidOperationException("Stream events are delivered inside a grain turn.");
        return new ValueTask(DeliverAllAsync(activation));
    }

    private async Task DeliverAllAsync(ActivationData activation)
    {
        foreach (var storedEvent in events)
        {
            var token = new StreamSequenceToken(storedEvent.Sequence);
            var subscriptions = activation.GetSubscriptions()
                .Where(s => s.StreamId == streamId && s.ProviderName == providerName)
                .ToList();
            if (subscriptions.Count == 0)
            {
                if (_delivered == 0)
                {
                    throw new InvalidOperationException(
                        $"{activation.GrainId} received an event of stream {streamId} ({providerName}) but holds no subscription to it; subscribe in OnActivateAsync.");
                }

                return;
            }

            foreach (var subscription in subscriptions)
            {
                await subscription.DeliverPayloadAsync(storedEvent.Payload, token);
            }

            Volatile.Write(ref _delivered, _delivered + 1);
        }
    }
}
