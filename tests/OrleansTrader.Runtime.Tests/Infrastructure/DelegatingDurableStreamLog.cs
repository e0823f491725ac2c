namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>
/// A log that hands every call to a memory log: the tests' logs that count, fail or hold a call override only that call.
/// A batch of checkpoints goes through the interface's default, one <see cref="SaveCheckpointAsync"/> per checkpoint, so a
/// log that intercepts single saves sees batched ones too.
/// </summary>
internal abstract class DelegatingDurableStreamLog(MemoryDurableStreamLog inner) : IDurableStreamLog
{
    protected MemoryDurableStreamLog Inner { get; } = inner;

    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => Inner.InitializeAsync(cancellationToken);

    public virtual Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
        Inner.AppendAsync(streamId, payloads, timestamp, cancellationToken);

    public virtual Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default) =>
        Inner.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);

    public virtual Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        Inner.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);

    public virtual Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        Inner.GetCheckpointAsync(streamId, consumerId, cancellationToken);

    public virtual Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        Inner.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

    public virtual Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        Inner.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

    public virtual Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        Inner.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);

    public virtual Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default) => Inner.WriteDeadLetterAsync(deadLetter, cancellationToken);

    public virtual Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default) =>
        Inner.ReadDeadLettersAsync(streamId, cancellationToken);

    public virtual Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default) =>
        Inner.AddSubscriptionAsync(subscription, cancellationToken);

    public virtual Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default) =>
        Inner.RemoveSubscriptionAsync(streamId, subscriptionId, cancellationToken);

    public virtual Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Inner.ReadSubscriptionsAsync(cancellationToken);

    public virtual Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) => Inner.TrimAsync(olderThan, cancellationToken);
}
