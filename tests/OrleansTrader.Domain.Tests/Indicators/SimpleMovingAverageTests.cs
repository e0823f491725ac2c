using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class SimpleMovingAverageTests
{
    [Fact]
    public void Update_ReturnsWindowMean_AfterWarmUp()
    {
        var sma = new SimpleMovingAverage(3);

        var values = new[] { 1m, 2m, 3m, 4m, 6m }.Select(v => sma.Update(v)).ToArray();

        Assert.Equal(new decimal?[] { null, null, 2m, 3m, 13m / 3m }, values);
        Assert.True(sma.IsReady);
        Assert.Equal(5, sma.Samples);
    }

    [Fact]
    public void IsReady_IsFalse_DuringWarmUp()
    {
        var sma = new SimpleMovingAverage(3);
        sma.Update(1m);
        sma.Update(2m);

        Assert.False(sma.IsReady);
        Assert.Equal(2, sma.Samples);
        Assert.Null(sma.Value);
    }

    [Fact]
    public void Reset_StartsWarmUpAgain()
    {
        var sma = new SimpleMovingAverage(2);
        sma.Update(10m);
        sma.Update(20m);

        sma.Reset();
        sma.Update(4m);

        Assert.False(sma.IsReady);
        Assert.Equal(1, sma.Samples);
        Assert.Equal(5m, sma.Update(6m));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_Throws_ForPeriodBelowOne(int period)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleMovingAverage(period));

        Assert.Equal("period", error.ParamName);
        Assert.Contains($"period must be >= 1; got {period}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Update_Throws_ForNonFiniteInput(double value)
    {
        var sma = new SimpleMovingAverage(2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => sma.Update(value));

        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sma.Samples);
    }

    [Fact]
    public void Update_EqualsNaiveMean_ForAnySeries()
    {
        Prop.ForAll(IndicatorGenerators.PeriodAndSeries, input =>
        {
            var (period, values) = input;
            var sma = new SimpleMovingAverage(period);
            for (var i = 0; i < values.Length; i++)
            {
                var actual = sma.Update(values[i]);
                decimal? expected = i + 1 >= period ? Naive.Mean(values.AsSpan(i + 1 - period, period)) : null;
                if (actual != expected)
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
        var original = new SimpleMovingAverage(4);
        foreach (var value in new[] { 5m, 7m, 9m, 3m, 8m, 1m })
        {
            original.Update(value);
        }

        var restored = SimpleMovingAverage.FromState(original.GetState());

        Assert.Equal(original.Samples, restored.Samples);
        Assert.Equal(original.Update(12m), restored.Update(12m));
        Assert.Equal(original.Update(2m), restored.Update(2m));
    }
}
