using System.Data.Common;

namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>
/// A memory log whose next checkpoint reads, progress saves or trims, once armed, fail as over a pooled connection the
/// database ended (PostgreSQL's 57P01 after pg_terminate_backend), or with another database error.
/// </summary>
internal sealed class ConnectionDroppingLog(MemoryDurableStreamLog inner, DbException failure) : DelegatingDurableStreamLog(inner)
{
    private int _readFailures;
    private int _saveFailures;
    private int _trimFailures;

    public void FailNextCheckpointReads(int count) => Volatile.Write(ref _readFailures, count);

    public void FailNextProgressSaves(int count) => Volatile.Write(ref _saveFailures, count);

    public void FailNextTrims(int count) => Volatile.Write(ref _trimFailures, count);

    public override Task<long> GetCheckpointAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken = default) =>
        Interlocked.Decrement(ref _readFailures) >= 0
            ? Task.FromException<long>(failure)
            : base.GetCheckpointAsync(streamId, consumerId, cancellationToken);

    // Progress only: a reader stores a consumer's first checkpoint, 0, when it starts.
    public override Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default) =>
        sequence > 0 && Interlocked.Decrement(ref _saveFailures) >= 0
            ? Task.FromException(failure)
            : base.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);

    public override Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        Interlocked.Decrement(ref _trimFailures) >= 0
            ? Task.FromException<int>(failure)
            : base.TrimAsync(olderThan, cancellationToken);
}
