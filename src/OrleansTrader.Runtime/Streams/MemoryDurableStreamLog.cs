namespace OrleansTrader.Runtime;

/// <summary>
/// An in-process <see cref="IDurableStreamLog"/> for tests and benchmarks. Share one instance between silos of a test to
/// prove resumption after a restart. Bounded only by <see cref="TrimAsync"/> (the provider's retention): events stay
/// in position order with gaps where trimmed ones were, so reads find their start by binary search.
/// </summary>
/// <remarks>
/// Payloads are copied into shared chunks, each large enough for the large-object heap, instead of an array each: the
/// collector then never copies them as they age, and they cost it nothing to mark. A chunk is freed once no retained
/// event (and no reader's copy of one) refers to it; trimming removes the oldest events first, so chunks go in order.
/// The events themselves are kept as values in one list (<see cref="KeptEvent"/>), which soon grows onto the large-object
/// heap too, and each stream keeps only its events' sequences and positions: an object per event, kept until trimmed, was
/// small-object heap that every gen0 and gen1 collection copied while it aged (two events an order in the benchmarks).
/// A read builds the <see cref="StoredStreamEvent"/> objects it returns.
/// </remarks>
public sealed class MemoryDurableStreamLog : IDurableStreamLog
{
    /// <summary>Above the large-object threshold (85,000 bytes); payloads larger than an eighth of it get an array each.</summary>
    private const int ChunkSize = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly List<KeptEvent> _all = [];
    private readonly Dictionary<StreamId, StreamEvents> _byStream = [];
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), long> _checkpoints = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly List<StoredStreamSubscription> _subscriptions = [];
    private long _lastPosition;
    private byte[] _chunk = [];
    private int _chunkUsed;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Every payload is copied into a chunk (or an array of its own) inside <see cref="AppendAsync"/>.</summary>
    public bool CopiesPayloads => true;

    public Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var stored = new StoredStreamEvent[payloads.Count];
        lock (_lock)
        {
            if (!_byStream.TryGetValue(streamId, out var stream))
            {
                _byStream[streamId] = stream = new StreamEvents(streamId);
            }

            // Counters, not list lengths: trimmed events leave their positions and sequences used.
            for (var i = 0; i < payloads.Count; i++)
            {
                var kept = new KeptEvent(++_lastPosition, stream.Id, ++stream.LastSequence, Keep(payloads[i]), timestamp);
                _all.Add(kept);
                stream.Events.Add((kept.Sequence, kept.Position));
                stored[i] = kept.ToStored();
            }
        }

        return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(stored);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_byStream.TryGetValue(streamId, out var stream))
            {
                return Task.FromResult<IReadOnlyList<StoredStreamEvent>>([]);
            }

            var events = stream.Events;
            var start = FirstAfter(events, afterSequence, static e => e.Sequence);
            var count = Math.Min(maxCount, events.Count - start);
            if (count <= 0)
            {
                return Task.FromResult<IReadOnlyList<StoredStreamEvent>>([]);
            }

            // A stream's events are in position order too: each is found in the whole log after the one before it.
            var read = new StoredStreamEvent[count];
            var at = FirstAfter(_all, events[start].Position - 1, static e => e.Position);
            for (var i = 0; i < count; i++)
            {
                var position = events[start + i].Position;
                while (_all[at].Position < position)
                {
                    at++;
                }

                read[i] = _all[at].ToStored();
            }

            return Task.FromResult<IReadOnlyList<StoredStreamEvent>>(read);
        }
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        var result = new List<StoredStreamEvent>();
        lock (_lock)
        {
            for (var i = FirstAfter(_all, afterPosition, static e => e.Position); i < _all.Count && result.Count < maxCount; i++)
            {
                if (string.Equals(_all[i].StreamId.Namespace, streamNamespace, StringComparison.Ordinal))
                {
                    result.Add(_all[i].ToStored());
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
            Advance((streamId, consumerId), sequence);
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
                Advance((checkpoint.StreamId, checkpoint.ConsumerId), checkpoint.Sequence);
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

    public Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _checkpoints.Remove((streamId, consumerId));
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

    public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            // The newest sequence each stream may lose: its lowest checkpoint. Streams without one keep everything.
            var acknowledged = new Dictionary<StreamId, long>();
            foreach (var ((streamId, _), sequence) in _checkpoints)
            {
                acknowledged[streamId] = acknowledged.TryGetValue(streamId, out var lowest) ? Math.Min(lowest, sequence) : sequence;
            }

            // A stored subscriber that has not checkpointed yet has acknowledged nothing.
            foreach (var subscription in _subscriptions)
            {
                if (!_checkpoints.ContainsKey((subscription.StreamId, subscription.Subscriber.ToString())))
                {
                    acknowledged.Remove(subscription.StreamId);
                }
            }

            bool Expired(KeptEvent e) =>
                e.Timestamp < olderThan && acknowledged.TryGetValue(e.StreamId, out var lowest) && e.Sequence <= lowest;

            var deleted = _all.RemoveAll(Expired);
            if (deleted > 0)
            {
                // A stream keeps the events the whole log still holds.
                foreach (var streamId in acknowledged.Keys)
                {
                    if (_byStream.TryGetValue(streamId, out var stream))
                    {
                        stream.Events.RemoveAll(e => !IsKept(e.Position));
                    }
                }
            }

            return Task.FromResult(deleted);
        }
    }

    /// <summary>
    /// Moves a checkpoint forward, never back. Called under the lock. A first checkpoint is stored even at 0 (as the SQL logs
    /// do): retention then keeps what the consumer has not read.
    /// </summary>
    private void Advance((StreamId StreamId, string ConsumerId) key, long sequence)
    {
        if (!_checkpoints.TryGetValue(key, out var current) || sequence > current)
        {
            _checkpoints[key] = sequence;
        }
    }

    /// <summary>A copy of <paramref name="payload"/> in the current chunk (a new one when it is full). Called under the lock.</summary>
    private ReadOnlyMemory<byte> Keep(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > ChunkSize / 8)
        {
            return payload.ToArray();
        }

        if (_chunk.Length - _chunkUsed < payload.Length)
        {
            _chunk = new byte[ChunkSize];
            _chunkUsed = 0;
        }

        var kept = _chunk.AsMemory(_chunkUsed, payload.Length);
        payload.Span.CopyTo(kept.Span);
        _chunkUsed += payload.Length;
        return kept;
    }

    /// <summary>Whether the event at <paramref name="position"/> is still in the log. Called under the lock.</summary>
    private bool IsKept(long position)
    {
        var at = FirstAfter(_all, position - 1, static e => e.Position);
        return at < _all.Count && _all[at].Position == position;
    }

    /// <summary>Index of the first event whose key is greater than <paramref name="after"/> (keys ascend; trimmed ones leave gaps).</summary>
    private static int FirstAfter<T>(List<T> events, long after, Func<T, long> key)
    {
        int low = 0, high = events.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (key(events[middle]) <= after)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>One event as the log keeps it: a value in its list, not an object of its own.</summary>
    private readonly record struct KeptEvent(long Position, StreamId StreamId, long Sequence, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp)
    {
        public StoredStreamEvent ToStored() => new(Position, StreamId, Sequence, Payload, Timestamp);
    }

    /// <summary>One stream's retained events (sequence and position in the log), in sequence order, and the last sequence it ever handed out.</summary>
    private sealed class StreamEvents(StreamId id)
    {
        /// <summary>The stream's id as first appended: its events share its strings instead of each caller's copy.</summary>
        public StreamId Id { get; } = id;

        public List<(long Sequence, long Position)> Events { get; } = [];

        public long LastSequence { get; set; }
    }
}
