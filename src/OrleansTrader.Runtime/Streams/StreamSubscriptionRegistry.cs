using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>Explicit subscriptions of one provider, per stream. Entries leave with their owner activation.</summary>
internal sealed class StreamSubscriptionRegistry
{
    private readonly ConcurrentDictionary<StreamId, IActivationStreamSubscription[]> _byStream = new();
    private readonly Lock _lock = new();
    private int _version;

    /// <summary>Changes whenever a subscription is added or removed, so a long delivery can tell its snapshot is stale.</summary>
    public int Version => Volatile.Read(ref _version);

    public void Add(IActivationStreamSubscription subscription)
    {
        lock (_lock)
        {
            var current = _byStream.TryGetValue(subscription.StreamId, out var existing) ? existing : [];
            _byStream[subscription.StreamId] = [.. current, subscription];
            Interlocked.Increment(ref _version);
        }
    }

    public void Remove(IActivationStreamSubscription subscription)
    {
        lock (_lock)
        {
            if (!_byStream.TryGetValue(subscription.StreamId, out var existing))
            {
                return;
            }

            Interlocked.Increment(ref _version);
            var remaining = Array.FindAll(existing, s => !ReferenceEquals(s, subscription));
            if (remaining.Length == 0)
            {
                _byStream.TryRemove(subscription.StreamId, out _);
            }
            else
            {
                _byStream[subscription.StreamId] = remaining;
            }
        }
    }

    public IActivationStreamSubscription[] Get(StreamId streamId) =>
        _byStream.TryGetValue(streamId, out var subscriptions) ? subscriptions : [];
}
