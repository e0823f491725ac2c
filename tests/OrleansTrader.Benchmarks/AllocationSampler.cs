using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace OrleansTrader.Benchmarks;

/// <summary>
/// Counts the runtime's allocation-tick events (one per ~100 KB allocated, naming the type that crossed the mark) by
/// type (marking large and pinned objects, which only gen2 collects), for <c>--allocations</c>: a cheap sampled answer to "what does this scenario allocate" without a tracer.
/// </summary>
internal sealed class AllocationSampler : RuntimeGcEventListener
{
    private const int AllocationTickEventId = 10;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    protected override EventLevel Level => EventLevel.Verbose;

    protected override void OnGcEvent(int eventId, ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload)
    {
        if (eventId != AllocationTickEventId)
        {
            return;
        }

        var typeAt = names.IndexOf("TypeName");
        var amountAt = names.IndexOf("AllocationAmount64");
        var kindAt = names.IndexOf("AllocationKind");
        var type = typeAt >= 0 ? payload[typeAt] as string ?? "?" : "?";
        if (kindAt >= 0 && payload[kindAt] is uint kind && kind != 0)
        {
            // 1: the large object heap, 2: the pinned object heap; both are collected only with gen2.
            type += kind == 1 ? " (large object heap)" : " (pinned object heap)";
        }
        var amount = amountAt >= 0 && payload[amountAt] is ulong bytes ? (long)bytes : 100_000;
        lock (_gate)
        {
            _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
        }
    }

    /// <summary>The <paramref name="top"/> types by sampled bytes, with their share of all sampled bytes.</summary>
    public void WriteTop(TextWriter output, int top)
    {
        KeyValuePair<string, long>[] rows;
        lock (_gate)
        {
            rows = [.. _bytesByType];
        }

        var total = rows.Sum(r => r.Value);
        foreach (var (type, bytes) in rows.OrderByDescending(r => r.Value).Take(top))
        {
            output.WriteLine($"{100.0 * bytes / Math.Max(1, total),6:F1}%  {bytes / 1024,10:N0} KB  {type}");
        }
    }
}
