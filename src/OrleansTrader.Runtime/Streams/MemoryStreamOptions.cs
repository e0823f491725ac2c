namespace OrleansTrader.Runtime;

/// <summary>Options of a "memory" stream provider: best effort, bounded.</summary>
public sealed class MemoryStreamOptions
{
    /// <summary>Events waiting per stream; beyond it new events are dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Most events handed to one subscriber grain in one turn. Waiting events go out together (in order, each to every
    /// subscription of the grain), so a busy stream costs one turn per batch instead of one per event; the bound keeps a
    /// turn short enough for the grain's other calls.
    /// </summary>
    public int MaxDeliveryBatch { get; set; } = 1024;
}
