namespace OrleansTrader.Domain.Tests.Indicators;

/// <summary>Textbook recomputations over a whole window, the oracle for the streaming indicators.</summary>
internal static class Naive
{
    public static decimal Mean(ReadOnlySpan<decimal> window)
    {
        var sum = 0m;
        foreach (var value in window)
        {
            sum += value;
        }

        return sum / window.Length;
    }

    /// <summary>Two-pass population variance.</summary>
    public static decimal Variance(ReadOnlySpan<decimal> window)
    {
        var mean = Mean(window);
        var sum = 0m;
        foreach (var value in window)
        {
            sum += (value - mean) * (value - mean);
        }

        return sum / window.Length;
    }

    public static decimal StandardDeviation(ReadOnlySpan<decimal> window) => (decimal)Math.Sqrt((double)Variance(window));
}
