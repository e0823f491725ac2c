using System.Diagnostics;

namespace OrleansTrader.Benchmarks.Runtime;

/// <summary>Counts delivered stream events and keeps their end-to-end latencies (a DI singleton shared with subscribers).</summary>
public sealed class StreamRecorder
{
    private readonly Lock _lock = new();
    private List<long> _latencies = new(1 << 16);
    private long _delivered;

    public long Delivered => Interlocked.Read(ref _delivered);

    public void Record(BenchEvent item)
    {
        var latency = Stopwatch.GetTimestamp() - item.PublishedAt;
        lock (_lock)
        {
            _latencies.Add(latency);
        }

        Interlocked.Increment(ref _delivered);
    }

    public List<long> TakeLatencies()
    {
        lock (_lock)
        {
            var taken = _latencies;
            _latencies = new List<long>(1 << 16);
            return taken;
        }
    }
}
