using OrleansTrader.Domain.Indicators;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class RelativeStrengthIndexTests
{
    // Wilder's 14-period example as published by StockCharts ("Relative Strength Index", cs-rsi.xls):
    // 33 closes, first RSI on the 15th close.
    private static readonly decimal[] Closes =
    [
        44.3389m, 44.0902m, 44.1497m, 43.6124m, 44.2778m, 44.8264m, 45.0955m, 45.4245m, 45.8433m, 46.0826m,
        45.8931m, 46.0328m, 45.6140m, 46.2820m, 46.2820m, 46.0028m, 46.0328m, 46.4116m, 46.2222m, 45.6439m,
        46.2122m, 46.2521m, 45.7137m, 46.4515m, 45.7835m, 45.3548m, 44.0288m, 44.1783m, 44.2181m, 44.5672m,
        43.4205m, 42.6628m, 43.1314m,
    ];

    private static readonly decimal[] Published =
    [
        70.53m, 66.32m, 66.55m, 69.41m, 66.36m, 57.97m, 62.93m, 63.26m, 56.06m, 62.38m,
        54.71m, 50.42m, 39.99m, 41.46m, 41.87m, 45.46m, 37.30m, 33.08m, 37.77m,
    ];

    [Fact]
    public void Update_MatchesWildersPublishedExample()
    {
        var rsi = new RelativeStrengthIndex(14);

        var values = Closes.Select(c => rsi.Update(c)).ToArray();

        Assert.All(values.Take(14), v => Assert.Null(v));
        var rounded = values.Skip(14).Select(v => Math.Round(v!.Value, 2, MidpointRounding.AwayFromZero)).ToArray();
        Assert.Equal(Published, rounded);
    }

    [Fact]
    public void FirstAverages_AreSimpleMeansOfTheFirstPeriodChanges()
    {
        var rsi = new RelativeStrengthIndex(14);

        foreach (var close in Closes.Take(15))
        {
            rsi.Update(close);
        }

        Assert.Equal(3.3374m / 14m, rsi.AverageGain);
        Assert.Equal(1.3943m / 14m, rsi.AverageLoss);
    }

    [Fact]
    public void IsReady_NeedsPeriodPlusOneValues()
    {
        var rsi = new RelativeStrengthIndex(3);
        rsi.Update(1m);
        rsi.Update(2m);
        rsi.Update(3m);
        Assert.False(rsi.IsReady);

        rsi.Update(4m);

        Assert.True(rsi.IsReady);
        Assert.Equal(4, rsi.Samples);
        Assert.Equal(100m, rsi.Value);
    }

    [Fact]
    public void Value_Is50_ForAFlatSeries()
    {
        var rsi = new RelativeStrengthIndex(2);

        foreach (var close in new[] { 5m, 5m, 5m, 5m })
        {
            rsi.Update(close);
        }

        Assert.Equal(50m, rsi.Value);
    }

    [Fact]
    public void Value_IsZero_ForAStrictlyFallingSeries()
    {
        var rsi = new RelativeStrengthIndex(2);

        foreach (var close in new[] { 9m, 8m, 7m, 6m })
        {
            rsi.Update(close);
        }

        Assert.Equal(0m, rsi.Value);
    }

    [Fact]
    public void FromState_ResumesIdentically()
    {
        var original = new RelativeStrengthIndex(14);
        foreach (var close in Closes.Take(20))
        {
            original.Update(close);
        }

        var restored = RelativeStrengthIndex.FromState(original.GetState());

        foreach (var close in Closes.Skip(20))
        {
            Assert.Equal(original.Update(close), restored.Update(close));
        }
    }

    [Fact]
    public void Value_StaysDefined_AfterALongRunOfRises()
    {
        // One fall, then a thousand rises of $50: the average loss decays towards decimal's smallest step while the average
        // gain stays at 50, so their ratio passes decimal's range.
        var rsi = new RelativeStrengthIndex(14);
        rsi.Update(100m);
        rsi.Update(99m);
        var close = 99m;
        for (var i = 0; i < 1_000; i++)
        {
            close += 50m;
            rsi.Update(close);
        }

        Assert.InRange(rsi.Value!.Value, 99.99m, 100m);
    }

    [Fact]
    public void Value_HoldsThroughALongFlatRun_AfterATrend_AsTheExactValueDoes()
    {
        // Wilder's example, then 3,000 unchanged closes: both averages decay by 13/14 a bar and their ratio stays, so the RSI
        // does too. A double reference (no underflow before 10^-308) says so; decimal's 28 places lost the digits by ~800 bars.
        var rsi = new RelativeStrengthIndex(14);
        var exact = new DoubleRsi(14);
        var closes = Closes.Concat(Enumerable.Repeat(Closes[^1], 3_000)).ToArray();

        for (var i = 0; i < closes.Length; i++)
        {
            var value = rsi.Update(closes[i]);
            var reference = exact.Update((double)closes[i]);
            if (reference is { } r)
            {
                Assert.True(Math.Abs((double)value!.Value - r) < 1e-9, $"bar {i}: decimal RSI {value} against the exact {r}");
            }
        }

        Assert.Equal(37.77m, Math.Round(rsi.Value!.Value, 2, MidpointRounding.AwayFromZero));
    }

    [Fact]
    public void FromState_ResumesIdentically_DuringALongFlatRun()
    {
        var original = new RelativeStrengthIndex(14);
        foreach (var close in Closes.Concat(Enumerable.Repeat(Closes[^1], 1_000)))
        {
            original.Update(close);
        }

        var restored = RelativeStrengthIndex.FromState(original.GetState());

        foreach (var close in Enumerable.Repeat(Closes[^1], 500).Concat(Closes))
        {
            Assert.Equal(original.Update(close), restored.Update(close));
        }

        Assert.Equal(original.AverageGain, restored.AverageGain);
    }

    /// <summary>The same Wilder RSI in double: a reference whose averages keep their digits far longer than decimal's.</summary>
    private sealed class DoubleRsi(int period)
    {
        private double? _previous;
        private double _gain;
        private double _loss;
        private int _changes;

        public double? Update(double value)
        {
            if (_previous is { } previous)
            {
                var change = value - previous;
                var gain = Math.Max(change, 0);
                var loss = Math.Max(-change, 0);
                _changes++;
                if (_changes <= period)
                {
                    _gain += gain / period;
                    _loss += loss / period;
                }
                else
                {
                    _gain = ((_gain * (period - 1)) + gain) / period;
                    _loss = ((_loss * (period - 1)) + loss) / period;
                }
            }

            _previous = value;
            return _changes < period ? null : _gain + _loss == 0 ? 50 : 100 * _gain / (_gain + _loss);
        }
    }

    [Fact]
    public void Update_Throws_ForInfinity()
    {
        var rsi = new RelativeStrengthIndex(14);

        Assert.Throws<ArgumentOutOfRangeException>(() => rsi.Update(double.PositiveInfinity));
    }
}
