namespace OrleansTrader.Runtime;

/// <summary>
/// Delivers consecutive stored events of one durable stream to the target activation in a single turn: in order, each
/// event to every subscription the activation holds on that stream, as a run of single deliveries would (one turn per
/// event before). The first event whose delivery fails ends the batch and faults the turn; <see cref="Delivered"/> tells
/// the cursor how many events came before it, and the cursor goes on with that event alone (retries, then a dead letter).
/// </summary>
internal sealed class DurableStreamBatchDeliveryRequest(
    string providerName, StreamId streamId, IReadOnlyList<StoredStreamEvent> events, object?[] published)
    : DurableDeliveryRequest
{
    private int _delivered;

    public override string InterfaceName => "stream";

    public override string MethodName => "OnNextDurableBatch";

    public override int MethodId => 5;

    /// <summary>How many events, from the first, every subscription took without failing.</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    protected override async ValueTask DeliverAsync(ActivationData activation)
    {
        for (var i = 0; i < events.Count; i++)
        {
            await StreamDeliveryRequest.DeliverAsync(activation, providerName, streamId, null, events[i].Payload, new StreamSequenceToken(events[i].Sequence), published[i]);
            Volatile.Write(ref _delivered, i + 1);
        }
    }
}
