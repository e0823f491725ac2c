namespace OrleansTrader.Runtime;

/// <summary>A grain timer. Dispose to stop it; it also stops when the activation deactivates.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>
    /// Reschedules: next tick after <paramref name="dueTime"/>, then every <paramref name="period"/> (Infinite for one tick).
    /// Called while a tick is queued or running (also from inside the callback), the due time counts from that tick's end.
    /// </summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
