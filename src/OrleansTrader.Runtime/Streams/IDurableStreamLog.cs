namespace OrleansTrader.Runtime;

/// <summary>
/// The append-only store behind the "durable" stream provider: events per stream with gap-free sequence numbers,
/// consumer checkpoints, dead letters and explicit grain subscriptions. Acknowledged old events are deleted by <see cref="TrimAsync"/>. Implementations: in-memory (tests), SQLite, PostgreSQL.
/// </summary>
public interface IDurableStreamLog
{
    /// <summary>Creates tables if needed. Called once at silo start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the payloads to the stream atomically, in order, and returns the stored events (with their
    /// positions and sequence numbers). Concurrent appenders to one stream never get the same sequence number.
    /// </summary>
    Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <see cref="AppendAsync"/> copies the payloads before its task completes and keeps no reference to the
    /// memory it was given (neither stored nor in the events it returns), so the caller may reuse that memory afterwards.
    /// </summary>
    bool CopiesPayloads => false;

    /// <summary>Events of one stream with Sequence greater than <paramref name="afterSequence"/>, in order, at most <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Events of every stream in <paramref name="streamNamespace"/> with Position greater than <paramref name="afterPosition"/>, in Position order.</summary>
    Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The last sequence the consumer has fully processed on the stream; 0 when it has none.</summary>
    Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default);

    /// <summary>Records progress. A checkpoint never moves backwards except through <see cref="ResetCheckpointAsync"/>.</summary>
    Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the progress of several consumers at once, each with the forward-only rule of <see cref="SaveCheckpointAsync"/>.
    /// The provider coalesces checkpoints into these batches; a store that can write them in one round trip should.
    /// </summary>
    async Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        foreach (var checkpoint in checkpoints)
        {
            await SaveCheckpointAsync(checkpoint.StreamId, checkpoint.ConsumerId, checkpoint.Sequence, cancellationToken);
        }
    }

    /// <summary>Sets the checkpoint to any value (a rewind from a token).</summary>
    Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a consumer's checkpoint: a consumer left without subscription (an unsubscribed client handle, or a grain
    /// whose last stored subscription went) must not hold retention back forever with it. Deleting one that is not stored does nothing.
    /// </summary>
    Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default);

    Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default);

    /// <summary>Stores an explicit grain subscription. Storing one with the same stream and id again changes nothing.</summary>
    Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stored subscription; deleting one that is not stored does nothing.</summary>
    Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>Every stored subscription, in the order they were stored (read once at silo start).</summary>
    Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Retention: deletes the events stored before <paramref name="olderThan"/> that every consumer of their stream has
    /// acknowledged, i.e. whose sequence is at or below the lowest checkpoint stored for the stream. A stream with no
    /// checkpoint at all keeps every event, and so does a stream with a stored subscription whose subscriber has no
    /// checkpoint yet. Positions and sequences are never reused afterwards; reads just start at the oldest event left.
    /// Dead letters carry their own payload and are not touched. Returns how many events were deleted.
    /// </summary>
    Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
