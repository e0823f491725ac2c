namespace OrleansTrader.Runtime;

/// <summary>
/// An in-process <see cref="IDurableStreamLog"/> for tests and benchmarks. Share one instance between silos of a test to
/// prove resumption after a restart. Not bounded: it is a log, and tests own its lifetime.
/// </summary>
public sealed class MemoryDurableStreamLog : IDurableStreamLog
{
    private readonly Lock _lock = new();
    private readonly List<StoredStreamEvent> _all = [];
    private readonly Dictionary<StreamId, List<StoredStreamEvent>> _byStream = [];
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), long> _checkpoints = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly List<StoredStreamSubscription> _subscriptions = [];

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var stored = new StoredStreamEvent[payloads.Count];
        lock (_lock)
        {
            if (!_byStream.TryGetValue(streamId, out var stream))
            {
                _byStream[streamId] = stream = [];
            }

            for (var i = 0; i < payloads.Count; i++)
            {
                var storedEvent = new StoredStreamEvent(_all.Count + 1, streamId, stream.Count + 1, payloads[i].ToArray(), timestamp);
                _all.Add(storedEvent);
                stream.Add(storedEvent);
                stored[i] = storedEvent;
            }
        }

        return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(stored);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_byStream.TryGetValue(streamId, out var stream) || afterSequence >= stream.Count)
            {
                return Task.FromResult<IReadOnlyList<StoredStreamEvent>>([]);
            }

            var start = (int)Math.Max(0, afterSequence);
            var count = Math.Min(maxCount, stream.Count - start);
            return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(stream.GetRange(start, count));
        }
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredStreamEvent>();
        lock (_lock)
        {
            for (var i = (int)Math.Max(0, afterPosition); i < _all.Count && result.Count < maxCount; i++)
            {
                if (string.Equals(_all[i].StreamId.Namespace, streamNamespace, StringComparison.Ordinal))
                {
                    result.Add(_all[i]);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(result);
    }

    public Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault((streamId, consumerId)));
        }
    }

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var key = (streamId, consumerId);
            if (sequence > _checkpoints.GetValueOrDefault(key))
            {
                _checkpoints[key] = sequence;
            }
        }

        return Task.CompletedTask;
    }

    public Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (_lock)
        {
            foreach (var checkpoint in checkpoints)
            {
                var key = (checkpoint.StreamId, checkpoint.ConsumerId);
                if (checkpoint.Sequence > _checkpoints.GetValueOrDefault(key))
                {
                    _checkpoints[key] = checkpoint.Sequence;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _checkpoints[(streamId, consumerId)] = sequence;
        }

        return Task.CompletedTask;
    }

    public Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        lock (_lock)
        {
            _deadLetters.Add(deadLetter);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<DeadLetter>>(_deadLetters.Where(d => d.StreamId == streamId).ToArray());
        }
    }

    public Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_lock)
        {
            if (!_subscriptions.Exists(s => s.StreamId == subscription.StreamId && s.SubscriptionId == subscription.SubscriptionId))
            {
                _subscriptions.Add(subscription);
            }
        }

        return Task.CompletedTask;
    }

    public Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _subscriptions.RemoveAll(s => s.StreamId == streamId && s.SubscriptionId == subscriptionId);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<StoredStreamSubscription>>([.. _subscriptions]);
        }
    }
}
