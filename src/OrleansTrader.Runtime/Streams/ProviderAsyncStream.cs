namespace OrleansTrader.Runtime;

/// <summary>A typed view of one stream of a provider.</summary>
internal sealed class ProviderAsyncStream<T>(
    IStreamProviderInternal provider, StreamId streamId, bool isRewindable, Func<StreamId, IEnumerable<T>, Task> publish) : IAsyncStream<T>
{
    public StreamId StreamId { get; } = streamId;

    public string ProviderName => provider.Name;

    public bool IsRewindable { get; } = isRewindable;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) => publish(StreamId, [item]);

    public Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return publish(StreamId, batch as IReadOnlyList<T> ?? batch.ToArray());
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public async Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (token is not null && !IsRewindable)
        {
            throw new NotSupportedException($"Stream provider '{provider.Name}' is not rewindable; subscribe without a token.");
        }

        var owner = CallContext.Current?.Activation;
        var subscription = new StreamSubscription<T>(provider, StreamId, owner, observer);
        owner?.AddSubscription(subscription);
        provider.Subscriptions.Add(subscription);
        if (token is not null)
        {
            await provider.RewindAsync(subscription, token);
        }

        return subscription;
    }

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles()
    {
        var owner = CallContext.Current?.Activation;
        IList<StreamSubscriptionHandle<T>> handles = provider.Subscriptions.Get(StreamId)
            .Where(s => ReferenceEquals(s.Owner, owner))
            .OfType<StreamSubscriptionHandle<T>>()
            .ToList();
        return Task.FromResult(handles);
    }
}
