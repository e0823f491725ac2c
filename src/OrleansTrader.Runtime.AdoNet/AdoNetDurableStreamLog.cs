using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The durable stream log in SQL: argument checks, first-use schema creation and logging for both dialects, over
/// the statements in <see cref="Sql"/>. Each provider runs them with its own driver and keeps its own append.
/// </summary>
public abstract class AdoNetDurableStreamLog : IDurableStreamLog
{
    private readonly AsyncOnce _schema;

    private protected AdoNetDurableStreamLog(StreamLogStatements sql, ILogger? logger)
    {
        Sql = sql;
        Logger = logger ?? NullLogger.Instance;
        _schema = new AsyncOnce(CreateSchemaAsync);
    }

    private protected StreamLogStatements Sql { get; }

    private protected ILogger Logger { get; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync().WaitAsync(cancellationToken);

    public abstract Task<IReadOnlyList<StoredStreamEvent>> AppendAsync(
        StreamId streamId, IReadOnlyList<ReadOnlyMemory<byte>> payloads, DateTimeOffset timestamp, CancellationToken cancellationToken = default);

    public Task<IReadOnlyList<StoredStreamEvent>> ReadStreamAsync(
        StreamId streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        StreamLogArguments.ValidateRead(afterSequence, maxCount);
        return ReadEventsAsync(Sql.ReadStream, streamId.Namespace, streamId.Key, afterSequence, maxCount, cancellationToken);
    }

    public Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(
        string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamNamespace);
        StreamLogArguments.ValidateRead(afterPosition, maxCount);
        return ReadEventsAsync(Sql.ReadNamespace, streamNamespace, streamKey: null, afterPosition, maxCount, cancellationToken);
    }

    public async Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        return await ReadCheckpointAsync(streamId, consumerId, cancellationToken);
    }

    public Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(Sql.SaveCheckpoint, streamId, consumerId, sequence, cancellationToken);

    public async Task SaveCheckpointsAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken = default)
    {
        if (!StreamLogArguments.ValidateCheckpoints(checkpoints))
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        await SaveCheckpointBatchAsync(checkpoints, cancellationToken);
    }

    public Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        WriteCheckpointAsync(Sql.ResetCheckpoint, streamId, consumerId, sequence, cancellationToken);

    public async Task RemoveCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        await InitializeAsync(cancellationToken);
        await DeleteCheckpointAsync(streamId, consumerId, cancellationToken);
    }

    public async Task WriteDeadLetterAsync(DeadLetter deadLetter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        StreamLogArguments.Validate(deadLetter.StreamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(deadLetter.ConsumerId);
        ArgumentNullException.ThrowIfNull(deadLetter.Error);
        await InitializeAsync(cancellationToken);
        await InsertDeadLetterAsync(deadLetter, PayloadBytes.AsArray(deadLetter.Payload), cancellationToken);
        AdoNetLog.DeadLetterStored(Logger, deadLetter.ConsumerId, deadLetter.StreamId.Namespace, deadLetter.Sequence, deadLetter.Attempts);
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(StreamId streamId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        return await ReadDeadLetterRowsAsync(streamId, cancellationToken);
    }

    public async Task AddSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        StreamLogArguments.Validate(subscription.StreamId);
        await InitializeAsync(cancellationToken);
        await InsertSubscriptionAsync(subscription, cancellationToken);
    }

    public async Task RemoveSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken = default)
    {
        StreamLogArguments.Validate(streamId);
        await InitializeAsync(cancellationToken);
        await DeleteSubscriptionAsync(streamId, subscriptionId, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        return await ReadSubscriptionRowsAsync(cancellationToken);
    }

    /// <summary>Deletes in chunks of <see cref="StreamLogSql.TrimChunkRows"/>, each its own write (see <see cref="TrimChunkAsync"/>).</summary>
    public async Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        var cutoff = olderThan.UtcTicks;
        return await StreamLogSql.TrimInChunksAsync(from => TrimChunkAsync(from, cutoff, cancellationToken));
    }

    /// <summary>
    /// Runs <see cref="StreamLogStatements.ReadStream"/> (with <paramref name="streamKey"/>) or
    /// <see cref="StreamLogStatements.ReadNamespace"/> (without) after <see cref="InitializeAsync"/>. The rows are
    /// mapped on the driver's own reader type, not in a shared <c>DbDataReader</c> helper: no virtual calls per event.
    /// </summary>
    private protected abstract Task<IReadOnlyList<StoredStreamEvent>> ReadEventsAsync(
        string sql, string streamNamespace, string? streamKey, long after, int maxCount, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="StreamLogStatements.GetCheckpoint"/>: 0 when there is none.</summary>
    private protected abstract Task<long> ReadCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="sql"/>, <see cref="StreamLogStatements.SaveCheckpoint"/> or <see cref="StreamLogStatements.ResetCheckpoint"/>.</summary>
    private protected abstract ValueTask WriteCheckpointRowAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="StreamLogStatements.SaveCheckpoint"/> for each of the (checked, non-empty) batch.</summary>
    private protected abstract ValueTask SaveCheckpointBatchAsync(IReadOnlyList<StreamCheckpoint> checkpoints, CancellationToken cancellationToken);

    private protected abstract Task DeleteCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="StreamLogStatements.InsertDeadLetter"/>, <paramref name="payload"/> as the bytes to bind.</summary>
    private protected abstract Task InsertDeadLetterAsync(DeadLetter deadLetter, byte[] payload, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="StreamLogStatements.ReadDeadLetters"/>, each row through <see cref="StreamLogSql.ReadDeadLetter"/>.</summary>
    private protected abstract Task<IReadOnlyList<DeadLetter>> ReadDeadLetterRowsAsync(StreamId streamId, CancellationToken cancellationToken);

    private protected abstract Task InsertSubscriptionAsync(StoredStreamSubscription subscription, CancellationToken cancellationToken);

    private protected abstract Task DeleteSubscriptionAsync(StreamId streamId, Guid subscriptionId, CancellationToken cancellationToken);

    /// <summary>Runs <see cref="StreamLogStatements.ReadSubscriptions"/>, each row through <see cref="StreamLogSql.ReadSubscription"/>.</summary>
    private protected abstract Task<IReadOnlyList<StoredStreamSubscription>> ReadSubscriptionRowsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one <see cref="StreamLogStatements.Trim"/> chunk from the stream <paramref name="from"/> on: the number
    /// of events deleted and the last stream, in the database's order, it took events from (<paramref name="from"/> if none).
    /// </summary>
    private protected abstract Task<(int Count, TrimCursor StoppedAt)> TrimChunkAsync(TrimCursor from, long cutoff, CancellationToken cancellationToken);

    private protected abstract Task CreateSchemaAsync(CancellationToken cancellationToken);

    private async Task WriteCheckpointAsync(
        string sql, StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        StreamLogArguments.ValidateCheckpoint(streamId, consumerId, sequence);
        await InitializeAsync(cancellationToken);
        await WriteCheckpointRowAsync(sql, streamId, consumerId, sequence, cancellationToken);
    }
}
