using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class AverageTrueRangeTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Update_UsesTrueRangeAndWilderSmoothing()
    {
        var atr = new AverageTrueRange(3);

        var values = new[]
        {
            Bar(0, 10m, 8m, 9m),     // TR = 2 (first bar: high - low)
            Bar(1, 11m, 9m, 10.5m),  // TR = max(2, |11 - 9|, |9 - 9|) = 2
            Bar(2, 12m, 11m, 11m),   // TR = max(1, |12 - 10.5|, |11 - 10.5|) = 1.5
            Bar(3, 10m, 9m, 9.5m),   // gap down: TR = max(1, |10 - 11|, |9 - 11|) = 2
        }.Select(atr.Update).ToArray();

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Equal(5.5m / 3m, values[2]);
        Assert.Equal(((5.5m / 3m * 2m) + 2m) / 3m, values[3]);
        Assert.Equal(2m, atr.LastTrueRange);
        Assert.Equal(4, atr.Samples);
    }

    [Fact]
    public void Update_Throws_WhenHighBelowLow()
    {
        var atr = new AverageTrueRange(3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => atr.Update(9m, 10m, 9.5m));

        Assert.Contains("high must be >= low", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, atr.Samples);
    }

    [Fact]
    public void Constructor_Throws_ForZeroPeriod()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AverageTrueRange(0));
    }

    private static Bar Bar(int minute, decimal high, decimal low, decimal close) =>
        new("SPY", Start.AddMinutes(minute), TimeSpan.FromMinutes(1), close, high, low, close, 100m);
}
