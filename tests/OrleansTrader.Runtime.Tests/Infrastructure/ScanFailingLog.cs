using System.Data.Common;

namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>A memory log whose next namespace reads, as many as armed, fail as a read over a dropped database connection does.</summary>
internal sealed class ScanFailingLog(MemoryDurableStreamLog inner, DbException failure) : IDurableStreamLog
{
    private int _failures;

    /// <summary>The next <paramref name="count"/> namespace reads (the provider's scans) throw the failure.</summary>
    public void FailNextScans(int count) => Volatile.Write(ref _failures, count);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
        inner.AppendAsync(streamId, payloads, timestamp, cancellationToken);

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        Interlocked.Decrement(ref _failures) >= 0
            ? Task.FromException<IReadOnlyList<StoredStreamEvent>>(failure)
            : inner.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);

    public Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        inner.GetCheckpointAsync(streamId, consumerId, cancellationToken);

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        inner.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        inner.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

    public Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        inner.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);

    public Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default) => inner.WriteDeadLetterAsync(deadLetter, cancellationToken);

    public Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default) =>
        inner.AddSubscriptionAsync(subscription, cancellationToken);

    public Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default) =>
        inner.RemoveSubscriptionAsync(streamId, subscriptionId, cancellationToken);

    public Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        inner.ReadSubscriptionsAsync(cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default) =>
        inner.ReadDeadLettersAsync(streamId, cancellationToken);

    public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        inner.TrimAsync(olderThan, cancellationToken);
}
