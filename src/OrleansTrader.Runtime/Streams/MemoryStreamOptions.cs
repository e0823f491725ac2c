namespace OrleansTrader.Runtime;

/// <summary>Options of a "memory" stream provider: best effort, bounded.</summary>
public sealed class MemoryStreamOptions
{
    /// <summary>Events waiting per stream; beyond it new events are dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 1024;
}
