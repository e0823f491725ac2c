using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class BollingerBandsTests
{
    [Fact]
    public void Bands_AreMiddlePlusMinusKSigma()
    {
        var bands = new BollingerBands(8, 2m);

        foreach (var value in new[] { 2m, 4m, 4m, 4m, 5m, 5m, 7m, 9m })
        {
            bands.Update(value);
        }

        Assert.Equal(5m, bands.Middle);
        Assert.Equal(2m, bands.StandardDeviation);
        Assert.Equal(9m, bands.Upper);
        Assert.Equal(1m, bands.Lower);
        Assert.Equal(1.6m, bands.Bandwidth);
    }

    [Fact]
    public void Bands_AreNull_DuringWarmUp()
    {
        var bands = new BollingerBands(3, 2m);
        bands.Update(1m);
        bands.Update(2m);

        Assert.False(bands.IsReady);
        Assert.Equal(2, bands.Samples);
        Assert.Null(bands.Middle);
        Assert.Null(bands.Upper);
        Assert.Null(bands.Lower);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_Throws_ForNonPositiveK(int k)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, k));

        Assert.Equal("k", error.ParamName);
    }

    [Fact]
    public void Bands_MatchNaiveRecomputation_ForAnySeries()
    {
        Prop.ForAll(IndicatorGenerators.PeriodAndSeries, input =>
        {
            var (period, values) = input;
            var bands = new BollingerBands(period, 2.5m);
            for (var i = 0; i < values.Length; i++)
            {
                bands.Update(values[i]);
                if (i + 1 < period)
                {
                    continue;
                }

                var window = values.AsSpan(i + 1 - period, period);
                var mean = Naive.Mean(window);
                var sigma = Naive.StandardDeviation(window);
                if (Math.Abs(bands.Middle!.Value - mean) > 0.0000000001m
                    || Math.Abs(bands.Upper!.Value - (mean + (2.5m * sigma))) > 0.00001m
                    || Math.Abs(bands.Lower!.Value - (mean - (2.5m * sigma))) > 0.00001m)
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
