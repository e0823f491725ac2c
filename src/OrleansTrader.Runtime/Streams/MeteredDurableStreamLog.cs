using System.Diagnostics.Metrics;

namespace OrleansTrader.Runtime;

/// <summary>
/// The durable provider's view of its log: every call goes to the real log; on the way back it tells the lag tracker the
/// stream heads and consumer checkpoints it saw, and counts dead letters. Delivery code stays unaware of metrics.
/// </summary>
internal sealed class MeteredDurableStreamLog(IDurableStreamLog inner, string providerName, DurableStreamLag lag, Counter<long> deadLettered)
    : IDurableStreamLog
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public bool CopiesPayloads => inner.CopiesPayloads;

    public async Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        var appended = await inner.AppendAsync(streamId, payloads, timestamp, cancellationToken);
        if (appended.Count > 0)
        {
            lag.ObserveHead(streamId, appended[^1].Sequence);
        }

        return appended;
    }

    public async Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        var events = await inner.ReadStreamAsync(streamId, afterSequence, maxCount, cancellationToken);
        if (events.Count > 0)
        {
            lag.ObserveHead(streamId, events[^1].Sequence);
        }

        return events;
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);

    public async Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        var checkpoint = await inner.GetCheckpointAsync(streamId, consumerId, cancellationToken);
        lag.ObserveCheckpoint(streamId, consumerId, checkpoint);
        return checkpoint;
    }

    public async Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        await inner.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
        lag.ObserveCheckpoint(streamId, consumerId, sequence);
    }

    /// <summary>
    /// Batches come from the provider's checkpoint coalescing, which reports delivered progress to the lag tracker itself;
    /// reporting the (older) flushed values here would move the lag backwards.
    /// </summary>
    public Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default) =>
        inner.SaveCheckpointsAsync(checkpoints, cancellationToken);

    public Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        inner.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);

    public async Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        await inner.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
        lag.ObserveCheckpoint(streamId, consumerId, sequence);
    }

    public async Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        await inner.WriteDeadLetterAsync(deadLetter, cancellationToken);
        deadLettered.Add(1, new KeyValuePair<string, object?>("provider", providerName), new KeyValuePair<string, object?>("namespace", deadLetter.StreamId.Namespace));
    }

    public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default) =>
        inner.ReadDeadLettersAsync(streamId, cancellationToken);

    public Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default) =>
        inner.AddSubscriptionAsync(subscription, cancellationToken);

    public Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default) =>
        inner.RemoveSubscriptionAsync(streamId, subscriptionId, cancellationToken);

    public Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        inner.ReadSubscriptionsAsync(cancellationToken);

    public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        inner.TrimAsync(olderThan, cancellationToken);
}
