namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>A memory log that counts the calls the provider makes, for tests that pin how often it reads and writes.</summary>
internal sealed class CountingDurableStreamLog(MemoryDurableStreamLog inner) : IDurableStreamLog
{
    private readonly List<DateTimeOffset> _trims = [];
    private int _streamReads;
    private int _checkpointReads;
    private int _checkpointWrites;
    private int _appends;

    public int StreamReads => Volatile.Read(ref _streamReads);

    public int CheckpointReads => Volatile.Read(ref _checkpointReads);

    /// <summary>Write calls for checkpoints: one per single save or reset, one per batch.</summary>
    public int CheckpointWrites => Volatile.Read(ref _checkpointWrites);

    public int Appends => Volatile.Read(ref _appends);

    /// <summary>When set, every trim is counted and then fails, as with a store that is down.</summary>
    public bool FailTrims { get; set; }

    /// <summary>The cut-off of every trim call, in order.</summary>
    public IReadOnlyList<DateTimeOffset> Trims
    {
        get
        {
            lock (_trims)
            {
                return [.. _trims];
            }
        }
    }

    public void Reset()
    {
        Volatile.Write(ref _streamReads, 0);
        Volatile.Write(ref _checkpointReads, 0);
        Volatile.Write(ref _checkpointWrites, 0);
        Volatile.Write(ref _appends, 0);
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _appends);
        return inner.AppendAsync(streamId, payloads, timestamp, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _streamReads);
        return inner.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);

    public Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointReads);
        return inner.GetCheckpointAsync(streamId, consumerId, cancellationToken);
    }

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return inner.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }

    public Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return inner.SaveCheckpointsAsync(checkpoints, cancellationToken);
    }

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return inner.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }

    public Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        inner.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);

    public Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default) => inner.WriteDeadLetterAsync(deadLetter, cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default) =>
        inner.ReadDeadLettersAsync(streamId, cancellationToken);

    public Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default) =>
        inner.AddSubscriptionAsync(subscription, cancellationToken);

    public Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default) =>
        inner.RemoveSubscriptionAsync(streamId, subscriptionId, cancellationToken);

    public Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        inner.ReadSubscriptionsAsync(cancellationToken);

    public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        lock (_trims)
        {
            _trims.Add(olderThan);
        }

        if (FailTrims)
        {
            throw new InvalidOperationException("The store refused the trim.");
        }

        return inner.TrimAsync(olderThan, cancellationToken);
    }
}
