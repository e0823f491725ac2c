using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void Update_SeedsWithSma_ThenSmooths()
    {
        // Period 3: alpha = 0.5; seed = mean(1, 2, 3) = 2; then 2 + 0.5 (6 - 2) = 4; 4 + 0.5 (0 - 4) = 2.
        var ema = new ExponentialMovingAverage(3);

        var values = new[] { 1m, 2m, 3m, 6m, 0m }.Select(v => ema.Update(v)).ToArray();

        Assert.Equal(new decimal?[] { null, null, 2m, 4m, 2m }, values);
        Assert.Equal(0.5m, ema.Alpha);
        Assert.Equal(5, ema.Samples);
    }

    [Fact]
    public void Constructor_Throws_ForZeroPeriod()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(0));

        Assert.Equal("period", error.ParamName);
    }

    [Fact]
    public void Update_Throws_ForNaN()
    {
        var ema = new ExponentialMovingAverage(3);

        Assert.Throws<ArgumentOutOfRangeException>(() => ema.Update(double.NaN));
        Assert.Equal(0, ema.Samples);
    }

    [Fact]
    public void Update_FollowsTheRecursion_ForAnySeries()
    {
        Prop.ForAll(IndicatorGenerators.PeriodAndSeries, input =>
        {
            var (period, values) = input;
            var ema = new ExponentialMovingAverage(period);
            var alpha = 2m / (period + 1);
            decimal? expected = null;
            for (var i = 0; i < values.Length; i++)
            {
                if (i + 1 == period)
                {
                    expected = Naive.Mean(values.AsSpan(0, period));
                }
                else if (expected is { } previous)
                {
                    expected = previous + (alpha * (values[i] - previous));
                }

                if (ema.Update(values[i]) != expected)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FromState_ResumesIdentically_InWarmUpAndAfter()
    {
        foreach (var taken in new[] { 2, 7 })
        {
            var original = new ExponentialMovingAverage(4);
            for (var i = 0; i < taken; i++)
            {
                original.Update(10m + i);
            }

            var restored = ExponentialMovingAverage.FromState(original.GetState());

            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(original.Update(3m * i), restored.Update(3m * i));
            }
        }
    }
}
