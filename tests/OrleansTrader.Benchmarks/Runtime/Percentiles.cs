using System.Diagnostics;

namespace OrleansTrader.Benchmarks.Runtime;

internal static class Percentiles
{
    /// <summary>
    /// The q-quantile (0..1, nearest rank) of Stopwatch-tick samples, in microseconds; null for no samples, so that a run
    /// that measured nothing does not print a latency of 0.
    /// </summary>
    public static double? Microseconds(List<long> samples, double q)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        samples.Sort();

        // The rank is ceil(q·n); the tolerance keeps q·n that should be whole (0.07 · 100 is 7.000000000000001 in
        // doubles) from rounding up one rank.
        var rank = (int)Math.Ceiling((q * samples.Count) - 1e-9);
        var index = Math.Clamp(rank - 1, 0, samples.Count - 1);
        return Math.Round(samples[index] * 1_000_000.0 / Stopwatch.Frequency, 1);
    }
}
