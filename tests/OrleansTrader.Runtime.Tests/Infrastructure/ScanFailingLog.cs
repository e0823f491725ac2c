using System.Data.Common;

namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>A memory log whose next namespace reads, as many as armed, fail as a read over a dropped database connection does.</summary>
internal sealed class ScanFailingLog(MemoryDurableStreamLog inner, DbException failure) : DelegatingDurableStreamLog(inner)
{
    private int _failures;

    /// <summary>The next <paramref name="count"/> namespace reads (the provider's scans) throw the failure.</summary>
    public void FailNextScans(int count) => Volatile.Write(ref _failures, count);

    public override Task<IReadOnlyList<StoredStreamEvent>> ReadNamespaceAsync(string streamNamespace, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        Interlocked.Decrement(ref _failures) >= 0
            ? Task.FromException<IReadOnlyList<StoredStreamEvent>>(failure)
            : base.ReadNamespaceAsync(streamNamespace, afterPosition, maxCount, cancellationToken);
}
