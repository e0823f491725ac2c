namespace OrleansTrader.Runtime;

/// <summary>
/// Delivers one stream event to every subscription the target activation holds on that stream: an in-memory
/// <paramref name="item"/> (memory provider), or a stored <paramref name="payload"/> with, when this silo published it
/// and its type is immutable, the <paramref name="published"/> object (durable provider).
/// </summary>
internal sealed class StreamDeliveryRequest(
    string providerName, StreamId streamId, object? item, ReadOnlyMemory<byte> payload, StreamSequenceToken? token, object? published = null)
    : DurableDeliveryRequest
{
    public override string InterfaceName => "stream";

    public override string MethodName => "OnNext";

    public override int MethodId => 2;

    /// <summary>One event to every subscription of <paramref name="activation"/> on the stream, started together.</summary>
    internal static ValueTask DeliverAsync(
        ActivationData activation, string providerName, StreamId streamId, object? item, ReadOnlyMemory<byte> payload, StreamSequenceToken? token, object? published)
    {
        var delivered = 0;
        List<Task>? pending = null;
        foreach (var subscription in activation.GetSubscriptions())
        {
            if (subscription.StreamId != streamId || subscription.ProviderName != providerName)
            {
                continue;
            }

            delivered++;
            var task = item is not null ? subscription.DeliverAsync(item, token) : subscription.DeliverPayloadAsync(payload, published, token!);
            if (!task.IsCompletedSuccessfully)
            {
                (pending ??= []).Add(task);
            }
        }

        if (delivered == 0)
        {
            throw new InvalidOperationException(
                $"{activation.GrainId} received an event of stream {streamId} ({providerName}) but holds no subscription to it; subscribe in OnActivateAsync "
                + "(or resume its stored subscriptions there with GetAllSubscriptionHandles() and ResumeAsync).");
        }

        return pending is null ? default : new ValueTask(Task.WhenAll(pending));
    }

    protected override ValueTask DeliverAsync(ActivationData activation) =>
        DeliverAsync(activation, providerName, streamId, item, payload, token, published);
}
