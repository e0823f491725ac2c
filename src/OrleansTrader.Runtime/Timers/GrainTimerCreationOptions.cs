namespace OrleansTrader.Runtime;

/// <summary>Options for <see cref="Grain"/>.RegisterGrainTimer.</summary>
public readonly record struct GrainTimerCreationOptions
{
    public GrainTimerCreationOptions(TimeSpan dueTime, TimeSpan period)
    {
        DueTime = dueTime;
        Period = period;
    }

    /// <summary>Time until the first tick; <see cref="Timeout.InfiniteTimeSpan"/> for none until <see cref="IGrainTimer.Change"/>.</summary>
    public TimeSpan DueTime { get; init; }

    /// <summary>Time from the end of one tick to the start of the next; <see cref="Timeout.InfiniteTimeSpan"/> for a single tick.</summary>
    public TimeSpan Period { get; init; }

    /// <summary>When true, ticks may interleave with requests (and requests with ticks), like [AlwaysInterleave].</summary>
    public bool Interleave { get; init; }

    /// <summary>When true, ticks count as activity and keep the activation from idle collection.</summary>
    public bool KeepAlive { get; init; }
}
