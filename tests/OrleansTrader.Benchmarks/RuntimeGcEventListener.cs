using System.Collections.ObjectModel;
using System.Diagnostics.Tracing;

namespace OrleansTrader.Benchmarks;

/// <summary>
/// Listens in process to the runtime's GC events (its event source's GC keyword), handing each one with a payload to
/// <see cref="OnGcEvent"/>: a look at the collector without a tracer.
/// </summary>
internal abstract class RuntimeGcEventListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    /// <summary>
    /// The level the GC events are enabled at (Verbose includes the allocation ticks). A constant: the base constructor
    /// asks for it before the derived one runs.
    /// </summary>
    protected abstract EventLevel Level { get; }

    protected abstract void OnGcEvent(int eventId, ReadOnlyCollection<string> names, ReadOnlyCollection<object?> payload);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, Level, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Payload is { } payload && eventData.PayloadNames is { } names)
        {
            OnGcEvent(eventData.EventId, names, payload);
        }
    }
}
