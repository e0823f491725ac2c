using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Tests.Bars;

namespace OrleansTrader.Domain.Tests.Statistics;

/// <summary>
/// Annualizing a curve of bars by the bars a session holds in it: minute files with extended hours (04:00-20:00 New
/// York) hold far more than the 390 of a regular session, so a constant 390 understated volatility, Sharpe and Sortino by
/// about √(bars a day / 390).
/// </summary>
public sealed class PeriodsPerYearTests
{
    private static readonly TimeSpan NewYork = TimeSpan.FromHours(-4); // October 2013

    [Fact]
    public void ExtendedHoursMinuteBars_AnnualizeOnTheirSixteenHourSessions_NotOnRegularHours()
    {
        var curve = MinuteCurve(days: 5, from: new TimeSpan(4, 0, 0), to: new TimeSpan(20, 0, 0));

        Assert.Equal(252 * 960, PerformanceStatistics.PeriodsPerYear(curve, regularSessionPeriods: 390));
    }

    [Fact]
    public void RegularHoursMinuteBars_AnnualizeOn390ASession()
    {
        var curve = MinuteCurve(days: 4, from: new TimeSpan(9, 30, 0), to: new TimeSpan(16, 0, 0));

        Assert.Equal(252 * 390, PerformanceStatistics.PeriodsPerYear(curve, regularSessionPeriods: 390));
    }

    [Fact]
    public void AThinlyTradedSymbol_AnnualizesOnTheBarsItHas()
    {
        // A bar every third minute of regular hours: 130 a session, each return over three minutes.
        var curve = MinuteCurve(days: 3, from: new TimeSpan(9, 30, 0), to: new TimeSpan(16, 0, 0), everyMinutes: 3);

        Assert.Equal(252 * 130, PerformanceStatistics.PeriodsPerYear(curve, regularSessionPeriods: 390));
    }

    [Fact]
    public void ARunWithoutAWholeSession_AnnualizesOnItsBusiestDate_AndAtLeastARegularSession()
    {
        var partOfOneSession = MinuteCurve(days: 1, from: new TimeSpan(10, 0, 0), to: new TimeSpan(11, 40, 0));
        var partsOfTwoExtendedSessions = MinuteCurve(days: 2, from: new TimeSpan(10, 0, 0), to: new TimeSpan(20, 0, 0));

        Assert.Equal(252 * 390, PerformanceStatistics.PeriodsPerYear(partOfOneSession, regularSessionPeriods: 390));
        Assert.Equal(252 * 600, PerformanceStatistics.PeriodsPerYear(partsOfTwoExtendedSessions, regularSessionPeriods: 390));
    }

    [Fact]
    public void DailyBars_StillAnnualizeOn252()
    {
        // Daily bars start at 00:00 UTC of their date; weekdays only, then every calendar day: one bar a date either way.
        var day0 = new DateTimeOffset(2019, 1, 7, 0, 0, 0, TimeSpan.Zero);
        var weekdays = Enumerable.Range(0, 60).Select(i => day0.AddDays(i)).Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).ToList();
        var everyDay = Enumerable.Range(0, 60).Select(i => day0.AddDays(i)).ToList();

        Assert.Equal(252, PerformanceStatistics.PeriodsPerYear(DailyCurve(weekdays), regularSessionPeriods: 1));
        Assert.Equal(252, PerformanceStatistics.PeriodsPerYear(DailyCurve(everyDay), regularSessionPeriods: 1));
        Assert.Equal(252, PerformanceStatistics.PeriodsPerYear(DailyCurve(weekdays[..2]), regularSessionPeriods: 1));
    }

    [Fact]
    public void TheAnnualizedFigures_ScaleWithTheObservedBarsASession()
    {
        var curve = MinuteCurve(days: 5, from: new TimeSpan(4, 0, 0), to: new TimeSpan(20, 0, 0));
        var periodsPerYear = PerformanceStatistics.PeriodsPerYear(curve, regularSessionPeriods: 390);

        var observed = PerformanceStatistics.Compute(curve, [], 0m, periodsPerYear);
        var regularHoursConstant = PerformanceStatistics.Compute(curve, [], 0m, 252 * 390);

        Assert.Equal(Math.Sqrt(960.0 / 390.0), observed.AnnualizedVolatility!.Value / regularHoursConstant.AnnualizedVolatility!.Value, 9);
    }

    [Fact]
    public void TheSharedSpyMinuteFiles_HoldAbout840BarsASession_AndAnnualizeOnThem()
    {
        var root = MarketDataFolder.Find();
        var folder = root is null ? null : Path.Combine(root, "minute", "SPY");
        if (folder is null || !Directory.Exists(folder) || Directory.GetFiles(folder, "2013-10-*.trades.csv").Length != 5)
        {
            Assert.Skip("Shared market data not found (set ORLEANSTRADER_MARKET_DATA or place shared/data/market beside the repository); skipping the SPY minute-file annualization check.");
        }

        var bars = Directory.GetFiles(folder, "2013-10-*.trades.csv").Order(StringComparer.Ordinal)
            .SelectMany(f => MarketCsv.ReadMinuteBars(f, "SPY")).ToList();
        List<EquityPoint> curve = [new(bars[0].Start, 100m), .. bars.Select(b => new EquityPoint(b.End, b.Close))];
        var perDay = bars.GroupBy(b => b.Start.ToOffset(NewYork).Date).Select(g => g.Count()).ToList();

        // 2013-10-07 .. 11: 828, 828, 813, 883, 776 bars from 04:00 to 20:00; the three whole days inside the run average 841.33.
        Assert.Equal([828, 828, 813, 883, 776], perDay);
        Assert.Equal(212_016, PerformanceStatistics.PeriodsPerYear(curve, regularSessionPeriods: 390));
    }

    /// <summary>A curve of minute bars each New York day from 2013-10-07 (a Monday), from its first bar's start.</summary>
    private static List<EquityPoint> MinuteCurve(int days, TimeSpan from, TimeSpan to, int everyMinutes = 1)
    {
        var ends = Enumerable.Range(0, days)
            .SelectMany(d => Enumerable.Range(0, (int)((to - from).TotalMinutes / everyMinutes))
                .Select(m => new DateTimeOffset(2013, 10, 7 + d, 0, 0, 0, NewYork) + from + TimeSpan.FromMinutes((m + 1) * everyMinutes)))
            .ToList();
        List<EquityPoint> curve = [new(ends[0] - TimeSpan.FromMinutes(everyMinutes), 100_000m)];
        // A deterministic wiggle, so the returns have a spread.
        curve.AddRange(ends.Select((end, i) => new EquityPoint(end, 100_000m + (i % 7 * 13m) - (i % 5 * 7m))));
        return curve;
    }

    private static List<EquityPoint> DailyCurve(IReadOnlyList<DateTimeOffset> starts) =>
        [new(starts[0], 100_000m), .. starts.Select((start, i) => new EquityPoint(start.AddDays(1), 100_000m + i))];
}
