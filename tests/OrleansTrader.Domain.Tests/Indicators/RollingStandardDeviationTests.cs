using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class RollingStandardDeviationTests
{
    private const decimal Tolerance = 0.000000000001m;

    [Fact]
    public void Value_IsPopulationStandardDeviation()
    {
        // The classic example: mean 5, squared deviations sum to 32, population variance 32 / 8 = 4, σ = 2.
        var deviation = new RollingStandardDeviation(8);

        foreach (var value in new[] { 2m, 4m, 4m, 4m, 5m, 5m, 7m, 9m })
        {
            deviation.Update(value);
        }

        Assert.Equal(4m, deviation.Variance);
        Assert.Equal(2m, deviation.Value);
        Assert.Equal(5m, deviation.Mean);
    }

    [Fact]
    public void Value_IsNullDuringWarmUp_AndZeroForConstantWindow()
    {
        var deviation = new RollingStandardDeviation(3);
        deviation.Update(7.25m);
        deviation.Update(7.25m);
        Assert.Null(deviation.Value);

        deviation.Update(7.25m);

        Assert.Equal(0m, deviation.Value);
    }

    [Fact]
    public void Value_StaysExact_ForLargeOffsetWithTinySpread()
    {
        // Where double sums of squares lose every digit (1e9² swamps a spread of 1e-4), decimal shifted sums do not.
        var deviation = new RollingStandardDeviation(2);
        for (var i = 0; i < 10_000; i++)
        {
            deviation.Update(1_000_000_000m + ((i % 2) * 0.0002m));
        }

        Assert.Equal(0.00000001m, deviation.Variance);
        Assert.Equal(0.0001m, deviation.Value);
    }

    [Fact]
    public void Update_MatchesTwoPassRecomputation_ForAnySeries()
    {
        Prop.ForAll(IndicatorGenerators.PeriodAndSeries, input =>
        {
            var (period, values) = input;
            var deviation = new RollingStandardDeviation(period);
            for (var i = 0; i < values.Length; i++)
            {
                deviation.Update(values[i]);
                if (i + 1 < period)
                {
                    if (deviation.Value is not null)
                    {
                        return false;
                    }

                    continue;
                }

                var window = values.AsSpan(i + 1 - period, period);
                if (Math.Abs(deviation.Variance!.Value - Naive.Variance(window)) > Tolerance
                    || Math.Abs(deviation.Value!.Value - Naive.StandardDeviation(window)) > 0.000001m)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FromState_ResumesIdentically()
    {
        var original = new RollingStandardDeviation(3);
        foreach (var value in new[] { 101.5m, 99.25m, 100m, 102.75m })
        {
            original.Update(value);
        }

        var restored = RollingStandardDeviation.FromState(original.GetState());

        foreach (var value in new[] { 98m, 97.5m, 103.25m })
        {
            Assert.Equal(original.Update(value), restored.Update(value));
            Assert.Equal(original.Mean, restored.Mean);
        }
    }

    [Fact]
    public void Constructor_Throws_ForZeroPeriod()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RollingStandardDeviation(0));

        Assert.Equal("period", error.ParamName);
    }
}
