using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansTrader.Runtime;

/// <summary>
/// The "memory" stream provider: best effort and bounded. Each stream has a queue of at most
/// <see cref="MemoryStreamOptions.QueueCapacity"/> events delivered in order, in batches of up to
/// <see cref="MemoryStreamOptions.MaxDeliveryBatch"/> per subscriber turn; when it is full the new event is dropped and
/// counted (metric "orleanstrader.streams.dropped" and <see cref="DroppedEventCount"/>). Failed deliveries are logged and skipped.
/// Not durable: when the silo stops, the events still waiting and those published afterwards are dropped and counted the same way.
/// </summary>
public sealed class MemoryStreamProvider : IStreamProvider, IStreamProviderInternal
{
    private readonly GrainRuntime _runtime;
    private readonly MemoryStreamOptions _options;
    private readonly ConcurrentDictionary<StreamId, MemoryStreamQueue> _queues = new();
    private readonly Counter<long> _dropped;
    private long _droppedCount;
    private volatile bool _stopped;
    private volatile bool _deliveryStopped;

    internal MemoryStreamProvider(GrainRuntime runtime, string name, MemoryStreamOptions options, Meter meter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDeliveryBatch, 1, nameof(options));
        _runtime = runtime;
        _options = options;
        Name = name;
        _dropped = meter.CreateCounter<long>("orleanstrader.streams.dropped", unit: "{event}", description: "Stream events dropped because a bounded queue was full.");
        Subscriptions = new StreamSubscriptionRegistry();
        Serializer = runtime.Serializer;
    }

    public string Name { get; }

    public bool IsRewindable => false;

    /// <summary>
    /// Events dropped by this provider: a stream's queue was full, or the silo stopped before delivering them. Read through
    /// a provider a test cluster's client gave before a restart, the count is the silo's deployed last, as its streams are.
    /// </summary>
    public long DroppedEventCount => Interlocked.Read(ref Current._droppedCount);

    internal StreamSubscriptionRegistry Subscriptions { get; }

    StreamSubscriptionRegistry IStreamProviderInternal.Subscriptions => Subscriptions;

    internal IGrainStateSerializer Serializer { get; }

    IGrainStateSerializer IStreamProviderInternal.Serializer => Serializer;

    internal GrainRuntime Runtime => _runtime;

    GrainRuntime IStreamProviderInternal.Runtime => _runtime;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new ProviderAsyncStream<T>(this, streamId, IsRewindable, PublishAsync);

    Task IStreamProviderInternal.RewindAsync(IActivationStreamSubscription subscription, StreamSequenceToken token) =>
        throw new NotSupportedException($"Stream provider '{Name}' is not rewindable; use a durable provider to replay events.");

    bool IStreamProviderInternal.StoresSubscription(ActivationData? owner, StreamId streamId) => false;

    Task IStreamProviderInternal.AddSubscriptionAsync(IActivationStreamSubscription subscription, bool rewinding)
    {
        Subscriptions.Add(subscription);
        return Task.CompletedTask;
    }

    Task IStreamProviderInternal.RemoveSubscriptionAsync(IActivationStreamSubscription subscription)
    {
        Subscriptions.Remove(subscription);
        return Task.CompletedTask;
    }

    IReadOnlyList<Guid> IStreamProviderInternal.GetStoredSubscriptionIds(StreamId streamId, GrainId subscriber) => [];

    /// <summary>The subscriptions the queues' resolved consumers hold on to (tests check that no deactivated grain's stays).</summary>
    internal IEnumerable<IActivationStreamSubscription> SubscriptionsHeldByConsumerCache() => _queues.Values.SelectMany(queue => queue.HeldSubscriptions);

    /// <summary>Events a stream's queue holds at most (<see cref="MemoryStreamOptions.QueueCapacity"/>).</summary>
    public int QueueCapacity => Current._options.QueueCapacity;

    /// <summary>Events waiting in a stream's queue, not yet handed to its subscribers.</summary>
    public int GetQueuedCount(StreamId streamId) => Current._queues.TryGetValue(streamId, out var queue) ? queue.Count : 0;

    /// <summary>
    /// Completes once fewer than <paramref name="count"/> events wait in the stream's queue; fails when the provider stops
    /// first. A producer outside grain turns (a replay feed) awaits it between batches, so it goes as fast as the
    /// subscribers consume instead of overflowing the bounded queue. Not for use inside a grain turn that a subscriber
    /// may have to call: the subscriber would wait for that turn and the turn for the subscriber.
    /// </summary>
    public Task WaitForQueueBelowAsync(StreamId streamId, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!Current._queues.TryGetValue(streamId, out var queue))
        {
            return Task.CompletedTask;
        }

        var below = queue.WhenBelowAsync(count);
        return below.IsCompleted || !cancellationToken.CanBeCanceled ? below : below.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The first step of a graceful stop: no event is delivered from now on, so none activates a grain in a silo going
    /// away. Events still waiting are dropped and counted, and so are those published until <see cref="Stop"/> (a batch
    /// already handed to its subscribers finishes).
    /// </summary>
    internal void StopDelivery()
    {
        _deliveryStopped = true;
        foreach (var (streamId, queue) in _queues)
        {
            // A queue checks the flag under its lock when it takes events, so none is added after this count.
            CountDropped(streamId, queue.DropWaiting(), stopping: true);
            queue.ReleaseWaiters();
        }
    }

    /// <summary>Stops delivery (if not stopped yet) and refuses publishing from then on.</summary>
    internal void Stop()
    {
        StopDelivery();
        _stopped = true;
    }

    private Task PublishAsync<T>(StreamId streamId, IEnumerable<T> items)
    {
        if (_stopped)
        {
            throw new InvalidOperationException($"Stream provider '{Name}' is stopped.");
        }

        var queue = _queues.GetOrAdd(streamId, static (id, p) => new MemoryStreamQueue(p, id, p._options.QueueCapacity, p._options.MaxDeliveryBatch), this);
        var dropped = queue.Enqueue(items, out var deliveryStopped);
        CountDropped(streamId, dropped, deliveryStopped);
        return Task.CompletedTask;
    }

    private void CountDropped(StreamId streamId, int dropped, bool stopping)
    {
        if (dropped == 0)
        {
            return;
        }

        Interlocked.Add(ref _droppedCount, dropped);
        _dropped.Add(dropped, new KeyValuePair<string, object?>("provider", Name), new KeyValuePair<string, object?>("namespace", streamId.Namespace));
        if (stopping)
        {
            _runtime.LogStreamDroppedAtStop(streamId, Name, dropped);
        }
        else
        {
            _runtime.LogStreamDropped(streamId, Name, dropped);
        }
    }

    /// <summary>Delivery has stopped (the silo is stopping): nothing waiting will be delivered.</summary>
    internal bool IsDeliveryStopped => _deliveryStopped;

    /// <summary>
    /// This provider in the silo a test cluster's client reaches now, when that is not this provider's silo and the caller
    /// is not one of its grains. A provider taken from the client and cast for its counters before a restart reported the
    /// stopped silo's (its queues empty, its drops frozen) while the streams it gave went to the next silo.
    /// </summary>
    private MemoryStreamProvider Current => _runtime.DeployedLastInstead()?.Streams.Get(Name) as MemoryStreamProvider ?? this;
}
