namespace OrleansTrader.Runtime;

/// <summary>A typed view of one stream of a provider.</summary>
internal sealed class ProviderAsyncStream<T>(
    IStreamProviderInternal provider, StreamId streamId, bool isRewindable, Func<StreamId, IEnumerable<T>, Task> publish) : IAsyncStream<T>
{
    public StreamId StreamId { get; } = streamId;

    public string ProviderName => provider.Name;

    public bool IsRewindable { get; } = isRewindable;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) =>
        InSiloDeployedLast() is { } stream ? stream.OnNextAsync(item, token) : publish(StreamId, [item]);

    public Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InSiloDeployedLast() is { } stream
            ? stream.OnNextBatchAsync(batch, token)
            : publish(StreamId, batch as IReadOnlyList<T> ?? batch.ToArray());
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public async Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (InSiloDeployedLast() is { } stream)
        {
            return await stream.SubscribeAsync(observer, token);
        }

        if (token is not null && !IsRewindable)
        {
            throw new NotSupportedException($"Stream provider '{provider.Name}' is not rewindable; subscribe without a token.");
        }

        var owner = CallContext.Current?.Activation;
        var subscription = new StreamSubscription<T>(provider, StreamId, owner, observer, Guid.NewGuid(), provider.StoresSubscription(owner, StreamId));
        owner?.AddSubscription(subscription);
        try
        {
            await provider.AddSubscriptionAsync(subscription, rewinding: token is not null);
        }
        catch
        {
            owner?.RemoveSubscription(subscription);
            throw;
        }

        if (token is not null)
        {
            await provider.RewindAsync(subscription, token);
        }

        return subscription;
    }

    /// <summary>
    /// The caller's subscriptions to this stream. For a grain this includes its stored subscriptions: a new activation gets
    /// handles without an observer, to be re-attached with ResumeAsync.
    /// </summary>
    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles()
    {
        if (InSiloDeployedLast() is { } stream)
        {
            return stream.GetAllSubscriptionHandles();
        }

        var owner = CallContext.Current?.Activation;
        IList<StreamSubscriptionHandle<T>> handles = provider.Subscriptions.Get(StreamId)
            .Where(s => ReferenceEquals(s.Owner, owner))
            .OfType<StreamSubscriptionHandle<T>>()
            .ToList();
        if (owner is not null)
        {
            foreach (var id in provider.GetStoredSubscriptionIds(StreamId, owner.GrainId))
            {
                var handle = owner.GetOrAddSubscription(id, () => new StreamSubscription<T>(provider, StreamId, owner, null, id, isStored: true));
                handles.Add(handle as StreamSubscriptionHandle<T> ?? throw new InvalidOperationException(
                    $"Subscription {id} of {owner.GrainId} to stream {StreamId} is held as a stream of another item type than {typeof(T)}."));
            }
        }

        return Task.FromResult(handles);
    }

    /// <summary>
    /// This stream in the silo the test cluster's client reaches now, when that is not the silo this stream came from and
    /// the caller is not one of its grains: a handle the client took before a restart publishes and subscribes there.
    /// </summary>
    private IAsyncStream<T>? InSiloDeployedLast() =>
        provider.Runtime.DeployedLastInstead()?.Streams.Get(provider.Name).GetStream<T>(StreamId);
}
