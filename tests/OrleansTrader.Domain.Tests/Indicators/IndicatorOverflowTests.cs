using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

/// <summary>
/// An update that takes an indicator's running sums beyond the decimal range is refused (OverflowException) and leaves
/// the indicator as it was: its later values agree with a recomputation over the inputs it accepted.
/// </summary>
public sealed class IndicatorOverflowTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 14, 30, 0, TimeSpan.Zero);
    private const decimal Huge = 5e28m;

    // The price-volume sum took the second update, the volume sum did not: 2E-10 where the session's VWAP is 1E-10.
    [Fact]
    public void Vwap_VolumeSumOverflow_IsRefused_AndTheSumsStayTogether()
    {
        var vwap = new VolumeWeightedAveragePrice();
        vwap.Update(Start, 0.0000000001m, Huge);

        Assert.Throws<OverflowException>(() => vwap.Update(Start.AddMinutes(1), 0.0000000001m, Huge));

        Assert.Equal(0.0000000001m, vwap.Value);
        Assert.Equal((Huge, 1), (vwap.CumulativeVolume, vwap.Samples));
        var fresh = new VolumeWeightedAveragePrice();
        fresh.Update(Start, 0.0000000001m, Huge);
        Assert.Equal(fresh.Update(Start.AddMinutes(2), 0.0000000001m, 1m), vwap.Update(Start.AddMinutes(2), 0.0000000001m, 1m));
    }

    // The window took the value, the sum did not: after two more updates the mean read 1 as -2.5E+28.
    [Fact]
    public void Sma_SumOverflow_IsRefused_AndTheWindowKeepsTheAcceptedValues()
    {
        var sma = new SimpleMovingAverage(2);
        sma.Update(Huge);

        Assert.Throws<OverflowException>(() => sma.Update(Huge));
        sma.Update(1m);
        sma.Update(1m);

        Assert.Equal(1m, sma.Value);
        Assert.Equal([1m, 1m], sma.GetState().Window);
    }

    // A window whose partial sum overflows although the new sum does not is still updated (the evicted value first).
    [Fact]
    public void Sma_NewSumInRange_IsAccepted_WhateverTheOrderOfTheTerms()
    {
        var sma = new SimpleMovingAverage(2);
        sma.Update(Huge);
        sma.Update(Huge / 2m);

        Assert.Equal(Huge / 4m * 3m, sma.Update(Huge));
    }

    // The seed sum missed the second value but the sample was counted: ready with 0 as its value.
    [Fact]
    public void Ema_SeedSumOverflow_IsRefused_AndTheSeedStaysConsistent()
    {
        var ema = new ExponentialMovingAverage(2);
        ema.Update(Huge);

        Assert.Throws<OverflowException>(() => ema.Update(Huge));

        Assert.Equal((1, false), (ema.Samples, ema.IsReady));
        var fresh = new ExponentialMovingAverage(2);
        fresh.Update(Huge);
        Assert.Equal(fresh.Update(1m), ema.Update(1m));
        Assert.NotNull(ema.Value);
    }

    // The window and the first sum took the value, the sum of squares did not: a deviation of 1 read as millions.
    [Fact]
    public void RollingStandardDeviation_SumOfSquaresOverflow_IsRefused_AndTheSumsStayConsistent()
    {
        var deviation = new RollingStandardDeviation(2);
        deviation.Update(0m);

        Assert.Throws<OverflowException>(() => deviation.Update(1e15m));
        deviation.Update(2m);

        Assert.Equal(1m, deviation.Value);
        Assert.Equal(1m, deviation.Mean);
    }

    // The bar was counted, the sum of true ranges was not: ready with 0 as its average.
    [Fact]
    public void Atr_SumOverflow_IsRefused_AndTheAverageStaysConsistent()
    {
        var atr = new AverageTrueRange(2);
        atr.Update(Huge, 0m, 1m);

        Assert.Throws<OverflowException>(() => atr.Update(Huge, 0m, 1m));

        Assert.Equal((1, false), (atr.Samples, atr.IsReady));
        var fresh = new AverageTrueRange(2);
        fresh.Update(Huge, 0m, 1m);
        Assert.Equal(fresh.Update(2m, 1m, 1m), atr.Update(2m, 1m, 1m));
        Assert.NotNull(atr.Value);
    }

    // The change was counted (and the previous value kept), the gain sum was not.
    [Fact]
    public void Rsi_GainSumOverflow_IsRefused_AndTheAveragesStayConsistent()
    {
        var rsi = new RelativeStrengthIndex(2);
        rsi.Update(-Huge);
        rsi.Update(0m);

        Assert.Throws<OverflowException>(() => rsi.Update(Huge));

        Assert.Equal(2, rsi.Samples);
        var fresh = new RelativeStrengthIndex(2);
        fresh.Update(-Huge);
        fresh.Update(0m);
        Assert.Equal(fresh.Update(-1m), rsi.Update(-1m));
        Assert.NotNull(rsi.Value);
    }

    // The fast average took the value, the slow one did not: the two no longer averaged the same inputs.
    [Fact]
    public void Macd_SlowSeedOverflow_IsRefused_AndTheAveragesStayInStep()
    {
        const decimal large = 7e28m;
        var macd = new MovingAverageConvergenceDivergence(2, 3, 1);
        macd.Update(large);
        macd.Update(0m);

        Assert.Throws<OverflowException>(() => macd.Update(large));
        macd.Update(0m);

        var fresh = new MovingAverageConvergenceDivergence(2, 3, 1);
        foreach (var value in new[] { large, 0m, 0m })
        {
            fresh.Update(value);
        }

        Assert.Equal((fresh.Macd, fresh.Signal, fresh.Samples), (macd.Macd, macd.Signal, macd.Samples));
        Assert.NotNull(macd.Macd);
    }
}
