namespace OrleansTrader.Runtime;

/// <summary>A subscription handle bound to its observer; for a grain subscriber, called inside the activation's turns.</summary>
internal sealed class StreamSubscription<T>(IStreamProviderInternal provider, StreamId streamId, ActivationData? owner, IAsyncObserver<T> observer)
    : StreamSubscriptionHandle<T>, IActivationStreamSubscription
{
    private IAsyncObserver<T> _observer = observer;

    public override StreamId StreamId { get; } = streamId;

    public override string ProviderName => provider.Name;

    public override Guid HandleId { get; } = Guid.NewGuid();

    public ActivationData? Owner { get; } = owner;

    public override Task UnsubscribeAsync()
    {
        Detach();
        Owner?.RemoveSubscription(this);
        return Task.CompletedTask;
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

    public Task DeliverAsync(object item, StreamSequenceToken? token) => _observer.OnNextAsync((T)item, token);

    public Task DeliverPayloadAsync(ReadOnlyMemory<byte> payload, StreamSequenceToken token) =>
        _observer.OnNextAsync(provider.Serializer.Deserialize<T>(payload.Span), token);

    public void Detach() => provider.Subscriptions.Remove(this);
}
