using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>
/// A durable provider's stored subscriptions in memory, per stream: loaded from the log at silo start and changed only
/// after the log is, so event routing never queries the log. Copy-on-write arrays: reads take no lock.
/// </summary>
internal sealed class StoredSubscriptionTable
{
    private readonly ConcurrentDictionary<StreamId, StoredStreamSubscription[]> _byStream = new();
    private readonly Lock _lock = new();

    public void Add(StoredStreamSubscription subscription)
    {
        lock (_lock)
        {
            var current = Get(subscription.StreamId);
            if (Array.Exists(current, s => s.SubscriptionId == subscription.SubscriptionId))
            {
                return;
            }

            _byStream[subscription.StreamId] = [.. current, subscription];
        }
    }

    public void Remove(StreamId streamId, Guid subscriptionId)
    {
        lock (_lock)
        {
            var remaining = Array.FindAll(Get(streamId), s => s.SubscriptionId != subscriptionId);
            if (remaining.Length == 0)
            {
                _byStream.TryRemove(streamId, out _);
            }
            else
            {
                _byStream[streamId] = remaining;
            }
        }
    }

    public StoredStreamSubscription[] Get(StreamId streamId) =>
        _byStream.TryGetValue(streamId, out var subscriptions) ? subscriptions : [];

    public bool Contains(StreamId streamId, GrainId subscriber) => Array.Exists(Get(streamId), s => s.Subscriber == subscriber);

    /// <summary>The namespaces with stored subscriptions: the provider scans them for events appended elsewhere.</summary>
    public IEnumerable<string> Namespaces => _byStream.Keys.Select(k => k.Namespace);
}
