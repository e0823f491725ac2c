namespace OrleansTrader.Runtime;

/// <summary>What a system timer accepts, for the settings that arm one.</summary>
public static class TimerLimits
{
    /// <summary>
    /// The longest span a system timer (and so a cancellation or wait deadline) accepts: 0xFFFFFFFE ms, about 49.7 days.
    /// A setting beyond it would be accepted and throw only when its timer is armed.
    /// </summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromMilliseconds(0xFFFFFFFE);
}
