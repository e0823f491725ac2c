namespace OrleansTrader.Runtime;

/// <summary>
/// A subscription handle bound to its observer; for a grain subscriber, called inside the activation's turns. A handle
/// of a stored subscription obtained by a new activation through GetAllSubscriptionHandles has no observer until
/// ResumeAsync: an event delivered before then fails (and is retried, then dead-lettered), it is never skipped.
/// </summary>
internal sealed class StreamSubscription<T>(
    IStreamProviderInternal provider, StreamId streamId, ActivationData? owner, IAsyncObserver<T>? observer, Guid handleId, bool isStored)
    : StreamSubscriptionHandle<T>, IActivationStreamSubscription
{
    private IAsyncObserver<T>? _observer = observer;

    public override StreamId StreamId { get; } = streamId;

    public override string ProviderName => provider.Name;

    public override Guid HandleId { get; } = handleId;

    public ActivationData? Owner { get; } = owner;

    public bool IsStored { get; } = isStored;

    public override async Task UnsubscribeAsync()
    {
        await provider.RemoveSubscriptionAsync(this);
        Owner?.RemoveSubscription(this);
    }

    public override async Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observer = observer;
        if (token is not null)
        {
            await provider.RewindAsync(this, token);
        }

        return this;
    }

    public Task DeliverAsync(object item, StreamSequenceToken? token) => Observer.OnNextAsync((T)item, token);

    public Task DeliverPayloadAsync(ReadOnlyMemory<byte> payload, object? published, StreamSequenceToken token) =>
        Observer.OnNextAsync(published is T item ? item : provider.Serializer.Deserialize<T>(payload.Span), token);

    public void Detach()
    {
        if (!IsStored)
        {
            provider.Subscriptions.Remove(this);
        }
    }

    private IAsyncObserver<T> Observer => _observer ?? throw new InvalidOperationException(
        $"{Owner?.GrainId} received an event of stream {StreamId} ({provider.Name}) for its stored subscription {HandleId}, which has no observer; "
        + "call GetAllSubscriptionHandles() and ResumeAsync(observer) in OnActivateAsync.");
}
