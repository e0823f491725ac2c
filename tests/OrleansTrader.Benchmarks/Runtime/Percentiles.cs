using System.Diagnostics;

namespace OrleansTrader.Benchmarks.Runtime;

internal static class Percentiles
{
    /// <summary>The q-quantile (0..1) of Stopwatch-tick samples, in microseconds.</summary>
    public static double Microseconds(List<long> samples, double q)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        samples.Sort();
        var index = Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1);
        return Math.Round(samples[Math.Max(0, index)] * 1_000_000.0 / Stopwatch.Frequency, 1);
    }
}
