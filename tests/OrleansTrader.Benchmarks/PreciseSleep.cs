using System.Runtime.InteropServices;

namespace OrleansTrader.Benchmarks;

/// <summary>
/// Sleeps for less than a millisecond without spinning, for drivers that pace work. Thread.Sleep and WaitOne round up to
/// whole milliseconds (about 1.1 ms on the project's machine), and a Thread.Yield loop keeps one of its two cores busy:
/// in one profile of orders.sqlite.latency the driver's sched_yield calls took 14% of the samples, taken from the system
/// it measured. usleep sleeps for the span plus the kernel's timer slack (50 µs by default).
/// </summary>
internal static partial class PreciseSleep
{
    private static readonly ManualResetEvent NeverSet = new(false);

    public static void For(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return;
        }

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = USleep((uint)Math.Clamp(span.TotalMicroseconds, 1, 1_000_000));
        }
        else
        {
            // Elsewhere a whole-millisecond wait on an event nobody sets: late by up to a millisecond, which the latencies
            // then include.
            NeverSet.WaitOne(TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(span.TotalMilliseconds))));
        }
    }

    [DllImport("libc", EntryPoint = "usleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int USleep(uint microseconds);
}
