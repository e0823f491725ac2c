using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class MovingAverageConvergenceDivergenceTests
{
    private const decimal Tolerance = 0.0000000000000000001m;

    [Fact]
    public void Update_ComputesLineSignalAndHistogram()
    {
        // Fast EMA(2): -, 21/2, 23/2, 67/6, 223/18, 763/54. Slow EMA(3): -, -, 11, 11, 12, 27/2.
        // MACD: 1/2, 1/6, 7/18, 17/27. Signal EMA(2) of MACD: -, 1/3, 10/27, 44/81.
        var macd = new MovingAverageConvergenceDivergence(2, 3, 2);
        var lines = new List<decimal?>();
        var signals = new List<decimal?>();

        foreach (var close in new[] { 10m, 11m, 12m, 11m, 13m, 15m })
        {
            macd.Update(close);
            lines.Add(macd.Macd);
            signals.Add(macd.Signal);
        }

        Assert.Null(lines[0]);
        Assert.Null(lines[1]);
        AssertClose(1m / 2m, lines[2]);
        AssertClose(1m / 6m, lines[3]);
        AssertClose(7m / 18m, lines[4]);
        AssertClose(17m / 27m, lines[5]);
        Assert.Null(signals[2]);
        AssertClose(1m / 3m, signals[3]);
        AssertClose(10m / 27m, signals[4]);
        AssertClose(44m / 81m, signals[5]);
        AssertClose((17m / 27m) - (44m / 81m), macd.Histogram);
        Assert.True(macd.IsReady);
        Assert.Equal(6, macd.Samples);
    }

    [Fact]
    public void IsReady_IsFalse_UntilSignalWarmsUp()
    {
        var macd = new MovingAverageConvergenceDivergence(2, 3, 2);
        macd.Update(1m);
        macd.Update(2m);
        macd.Update(3m);

        Assert.False(macd.IsReady);
        Assert.NotNull(macd.Macd);
        Assert.Null(macd.Histogram);
    }

    [Fact]
    public void Constructor_Throws_WhenSlowNotAboveFast()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MovingAverageConvergenceDivergence(12, 12, 9));

        Assert.Equal("slowPeriod", error.ParamName);
    }

    private static void AssertClose(decimal expected, decimal? actual)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual.Value) < Tolerance, $"expected {expected}, got {actual}");
    }
}
