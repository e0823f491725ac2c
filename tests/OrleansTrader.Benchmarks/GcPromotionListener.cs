using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace OrleansTrader.Benchmarks;

/// <summary>
/// Sums what the collections promoted: bytes that survived a collection of gen0 (copied into gen1) and of gen1 (copied
/// into gen2), from the runtime's heap-stats event, one per collection. The collector copies what is still alive, so
/// these, not the bytes allocated, set how long gen0 and gen1 pauses are; per order they say what an order leaves behind
/// for a while. The events arrive on the listener's thread a little after each collection: <see cref="SettledAsync"/>
/// waits for the ones of the collections counted so far.
/// </summary>
internal sealed class GcPromotionListener : RuntimeGcEventListener
{
    private const int HeapStatsEventId = 4;
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    // Set before the runtime's source can report (the base constructor enables it, and events may follow at once).
    private readonly int _collectionsBefore = GC.CollectionCount(0);
    private long _gen0Promoted;
    private long _gen1Promoted;
    private int _collectionsSeen;

    protected override EventLevel Level => EventLevel.Informational;

    protected override void OnGcEvent(int eventId, ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload)
    {
        if (eventId != HeapStatsEventId)
        {
            return;
        }

        Interlocked.Add(ref _gen0Promoted, Bytes(names, payload, "TotalPromotedSize0"));
        Interlocked.Add(ref _gen1Promoted, Bytes(names, payload, "TotalPromotedSize1"));
        Interlocked.Increment(ref _collectionsSeen);
    }

    /// <summary>
    /// The totals once the events of every collection so far have arrived (every collection collects gen0, so it counts
    /// in <see cref="GC.CollectionCount"/> of 0); after <see cref="LongestWait"/> whatever has arrived.
    /// </summary>
    public async Task<GcPromotions> SettledAsync()
    {
        var due = GC.CollectionCount(0) - _collectionsBefore;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _collectionsSeen) < due && waited.Elapsed < LongestWait)
        {
            await Task.Delay(10);
        }

        return new GcPromotions(Interlocked.Read(ref _gen0Promoted), Interlocked.Read(ref _gen1Promoted), Volatile.Read(ref _collectionsSeen));
    }

    private static long Bytes(ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload, string name)
    {
        var at = names.IndexOf(name);
        return at >= 0 && payload[at] is ulong bytes ? (long)bytes : 0;
    }
}

/// <summary>Bytes promoted out of gen0 and out of gen1 over the collections <see cref="GcPromotionListener"/> saw.</summary>
internal readonly record struct GcPromotions(long Gen0Bytes, long Gen1Bytes, int Collections)
{
    public GcPromotions Since(GcPromotions before) => new(Gen0Bytes - before.Gen0Bytes, Gen1Bytes - before.Gen1Bytes, Collections - before.Collections);
}
