namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>
/// A memory log that counts the calls the provider makes, for tests that pin how often it reads and writes. It names the
/// interface again for its batch save: a batch is one write call here, not one per checkpoint.
/// </summary>
internal sealed class CountingDurableStreamLog(MemoryDurableStreamLog inner) : DelegatingDurableStreamLog(inner), IDurableStreamLog
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

    public override Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _appends);
        return base.AppendAsync(streamId, payloads, timestamp, cancellationToken);
    }

    public override Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _streamReads);
        return base.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);
    }

    public override Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointReads);
        return base.GetCheckpointAsync(streamId, consumerId, cancellationToken);
    }

    public override Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return base.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }

    public Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return Inner.SaveCheckpointsAsync(checkpoints, cancellationToken);
    }

    public override Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _checkpointWrites);
        return base.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }

    public override Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        lock (_trims)
        {
            _trims.Add(olderThan);
        }

        if (FailTrims)
        {
            throw new InvalidOperationException("The store refused the trim.");
        }

        return base.TrimAsync(olderThan, cancellationToken);
    }
}
