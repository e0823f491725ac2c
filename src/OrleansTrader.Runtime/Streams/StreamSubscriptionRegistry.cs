using System.Collections.Concurrent;

namespace OrleansTrader.Runtime;

/// <summary>Explicit subscriptions of one provider, per stream. Entries leave with their owner activation.</summary>
internal sealed class StreamSubscriptionRegistry
{
    private readonly ConcurrentDictionary<StreamId, IActivationStreamSubscription[]> _byStream = new();
    private readonly Lock _lock = new();

    public void Add(IActivationStreamSubscription subscription)
    {
        lock (_lock)
        {
            var current = _byStream.TryGetValue(subscription.StreamId, out var existing) ? existing : [];
            _byStream[subscription.StreamId] = [.. current, subscription];
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
