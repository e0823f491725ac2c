using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Domain.Tests.Statistics;

public sealed class PerformanceStatisticsTests
{
    private static readonly DateTimeOffset Day0 = new(2024, 1, 1, 21, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_FindsMaxDrawdownAndItsDuration_OnAConstructedCurve()
    {
        // Peak 110 on day 1, trough 99 on day 2 (-10 %), regained on day 4 (121); a smaller dip to 115 at the end.
        var report = Compute(Curve(100m, 110m, 99m, 104.5m, 121m, 115m), []);

        Assert.Equal(0.1m, report.MaxDrawdown);
        Assert.Equal(TimeSpan.FromDays(3), report.MaxDrawdownDuration);
        Assert.True(report.MaxDrawdownRecovered);
        Assert.Equal(TimeSpan.FromDays(3), report.LongestDrawdownDuration);
        Assert.Equal(0.15m, report.TotalReturn);
        Assert.Equal(5, report.Periods);
    }

    [Fact]
    public void Compute_ReportsUnrecoveredDrawdown_UpToTheLastPoint()
    {
        var report = Compute(Curve(100m, 120m, 90m, 100m), []);

        Assert.Equal(0.25m, report.MaxDrawdown);
        Assert.Equal(TimeSpan.FromDays(2), report.MaxDrawdownDuration);
        Assert.False(report.MaxDrawdownRecovered);
        Assert.Equal(TimeSpan.FromDays(2), report.LongestDrawdownDuration);
    }

    [Fact]
    public void Compute_ReturnStatistics_MatchTheirDefinitions()
    {
        var curve = Curve(100m, 110m, 99m, 104.5m, 121m, 115m);
        double[] r = [0.1, -0.1, 104.5 / 99 - 1, 121 / 104.5 - 1, 115.0 / 121 - 1];
        var mean = r.Average();
        var sd = Math.Sqrt(r.Sum(x => (x - mean) * (x - mean)) / (r.Length - 1));
        const double rf = 0.0252;
        var excess = mean - (rf / 252);
        var downside = Math.Sqrt(r.Sum(x => Math.Pow(Math.Min(0, x - (rf / 252)), 2)) / r.Length);

        var report = PerformanceStatistics.Compute(curve, [], 0m, 252, rf);

        Assert.Equal(Math.Pow(1.15, 252.0 / 5) - 1, report.AnnualizedReturn!.Value, 9);
        Assert.Equal(sd * Math.Sqrt(252), report.AnnualizedVolatility!.Value, 12);
        Assert.Equal(excess / sd * Math.Sqrt(252), report.SharpeRatio!.Value, 12);
        Assert.Equal(excess / downside * Math.Sqrt(252), report.SortinoRatio!.Value, 12);
    }

    [Fact]
    public void Compute_TradeStatistics_UseNetPnl()
    {
        var trades = new[] { Trade(0, 1, 31m, 1m), Trade(1, 2, -9m, 1m), Trade(2, 3, 21m, 1m) };

        var report = Compute(Curve(100m, 101m, 102m, 103m), trades, fees: 3m);

        Assert.Equal(3, report.TradeCount);
        Assert.Equal(2, report.WinningTrades);
        Assert.Equal(1, report.LosingTrades);
        Assert.Equal(2m / 3m, report.WinRate);
        Assert.Equal(5m, report.ProfitFactor);
        Assert.Equal(25m, report.AverageWin);
        Assert.Equal(-10m, report.AverageLoss);
        Assert.Equal(3m, report.TotalFees);
    }

    [Fact]
    public void Compute_ProfitFactorIsNull_WithNoLosses_AndWithNoTrades()
    {
        var noLosses = Compute(Curve(100m, 110m), [Trade(0, 1, 10m, 0m)]);
        var noTrades = Compute(Curve(100m, 110m), []);

        Assert.Null(noLosses.ProfitFactor);
        Assert.Equal(1m, noLosses.WinRate);
        Assert.Null(noLosses.AverageLoss);
        Assert.Null(noTrades.ProfitFactor);
        Assert.Null(noTrades.WinRate);
        Assert.Null(noTrades.AverageWin);
        Assert.Equal(0, noTrades.TradeCount);
    }

    [Fact]
    public void Compute_Exposure_IsTheUnionOfOpenTime_OverTheSpan()
    {
        // Over 5 days, trades open [1, 2] and [1.5, 3] days: together 2 days.
        var trades = new[] { Trade(1, 2, 1m, 0m), Trade(1.5, 3, 1m, 0m) };

        var report = Compute(Curve(100m, 100m, 100m, 100m, 100m, 100m), trades);

        Assert.Equal(0.4, report.Exposure!.Value, 12);
    }

    [Fact]
    public void Compute_Turnover_IsTradedNotionalOverAverageEquity()
    {
        var trade = Trade(0, 1, 10m, 0m) with { Quantity = 5m, EntryPrice = 10m, ExitPrice = 12m };

        var report = Compute(Curve(100m, 120m), [trade]);

        Assert.Equal(1m, report.Turnover);
    }

    [Fact]
    public void Compute_ReturnsNulls_NotNaN_ForFlatOrTinyCurves()
    {
        var flat = Compute(Curve(100m, 100m, 100m), []);
        var single = Compute(Curve(100m), []);
        var empty = Compute([], []);

        Assert.Equal(0m, flat.TotalReturn);
        Assert.Equal(0d, flat.AnnualizedVolatility);
        Assert.Null(flat.SharpeRatio);
        Assert.Null(flat.SortinoRatio);
        Assert.Equal(0m, flat.MaxDrawdown);
        Assert.Null(single.TotalReturn);
        Assert.Null(single.AnnualizedVolatility);
        Assert.Null(single.Exposure);
        Assert.Equal(0, empty.Periods);
        Assert.Null(empty.Turnover);
    }

    [Fact]
    public void Compute_ConstantNonZeroReturns_HaveZeroVolatility_AndNoSharpe()
    {
        // +10 % every period: σ = 0 exactly, so Sharpe is undefined (null), not 1e17 from the rounding noise of a double mean.
        var report = Compute(Curve(100m, 110m, 121m, 133.1m), []);

        Assert.Equal(0d, report.AnnualizedVolatility);
        Assert.Null(report.SharpeRatio);
        Assert.Null(report.SortinoRatio);
    }

    [Fact]
    public void Compute_ReturnsNullReturns_WhenEquityIsNotPositive()
    {
        var report = Compute(Curve(100m, 0m, 50m), []);

        Assert.Null(report.TotalReturn);
        Assert.Null(report.SharpeRatio);
        Assert.Equal(1m, report.MaxDrawdown);
        Assert.False(report.MaxDrawdownRecovered);
    }

    [Fact]
    public void Compute_ACurveThatEndsAtZero_HasAnAnnualizedReturnOfMinusOneHundredPercent()
    {
        // Every equity point before the last is positive, so the returns are defined: (1 - 1)^(252 / 2) - 1 = -1, not "undefined".
        var report = Compute(Curve(100m, 50m, 0m), []);

        Assert.Equal(-1m, report.TotalReturn);
        Assert.Equal(-1d, report.AnnualizedReturn);
    }

    [Fact]
    public void Compute_Throws_ForUnorderedCurveOrBadArguments()
    {
        var unordered = new[] { new EquityPoint(Day0.AddDays(1), 100m), new EquityPoint(Day0, 100m) };

        Assert.Throws<ArgumentException>(() => Compute(unordered, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(Curve(1m), [], 0m, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(Curve(1m), [], 0m, 252, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(Curve(1m), [], -1m, 252));
    }

    [Fact]
    public void Compute_NeverReturnsNaNOrInfinity()
    {
        var equity = Gen.Frequency((1, Gen.Constant(0m)), (9, Gen.Choose(-1_000, 1_000_000).Select(c => c / 100m)));
        var pnl = Gen.Choose(-500, 500).Select(c => c / 10m);
        var input = Gen.ListOf(equity).SelectMany(curve => Gen.ListOf(pnl).Select(trades => (curve, trades))).ToArbitrary();

        Prop.ForAll(input, x =>
        {
            var curve = x.curve.Select((e, i) => new EquityPoint(Day0.AddDays(i), e)).ToArray();
            var trades = x.trades.Select((p, i) => Trade(i, i + 1, p, 0m)).ToArray();
            var report = PerformanceStatistics.Compute(curve, trades, 0m, 252, 0.01);
            double?[] doubles = [report.AnnualizedReturn, report.AnnualizedVolatility, report.SharpeRatio, report.SortinoRatio, report.Exposure];
            return doubles.All(d => d is null || double.IsFinite(d.Value));
        }).QuickCheckThrowOnFailure();
    }

    private static PerformanceReport Compute(IReadOnlyList<EquityPoint> curve, IReadOnlyList<RoundTripTrade> trades, decimal fees = 0m) =>
        PerformanceStatistics.Compute(curve, trades, fees, 252);

    private static EquityPoint[] Curve(params decimal[] equity) =>
        equity.Select((e, i) => new EquityPoint(Day0.AddDays(i), e)).ToArray();

    private static RoundTripTrade Trade(double entryDay, double exitDay, decimal realized, decimal fees) => new()
    {
        Symbol = "SPY",
        IsLong = true,
        Quantity = 1m,
        EntryTime = Day0.AddDays(entryDay),
        EntryPrice = 100m,
        ExitTime = Day0.AddDays(exitDay),
        ExitPrice = 100m + realized,
        RealizedPnl = realized,
        Fees = fees,
    };
}
