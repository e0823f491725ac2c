using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Domain.Statistics;

/// <summary>
/// Computes a <see cref="PerformanceReport"/> from an equity curve, the round-trip trades and the fees paid.
/// Period returns r_i = E_i / E_{i-1} - 1 are only defined while equity stays positive; if any equity point before
/// the last is not positive, the return-based figures are null. Return statistics use double (they need powers and
/// square roots); each result is checked finite before it is reported. Exposure and turnover also count the round trips
/// still open at the curve's end (<paramref name="open"/>): a position held to the end was exposed and was traded.
/// </summary>
public static class PerformanceStatistics
{
    public static PerformanceReport Compute(
        IReadOnlyList<EquityPoint> equity,
        IReadOnlyList<RoundTripTrade> trades,
        decimal totalFees,
        int periodsPerYear,
        double riskFreeRate = 0d,
        IReadOnlyList<OpenRoundTrip>? open = null)
    {
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentNullException.ThrowIfNull(trades);
        if (periodsPerYear < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(periodsPerYear), periodsPerYear, $"periodsPerYear must be >= 1; got {periodsPerYear}.");
        }

        if (!double.IsFinite(riskFreeRate))
        {
            throw new ArgumentOutOfRangeException(nameof(riskFreeRate), riskFreeRate, $"riskFreeRate must be finite; got {riskFreeRate}.");
        }

        if (totalFees < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(totalFees), totalFees, $"totalFees must be >= 0; got {totalFees}.");
        }

        for (var i = 1; i < equity.Count; i++)
        {
            if (equity[i].Timestamp <= equity[i - 1].Timestamp)
            {
                throw new ArgumentException($"Equity timestamps must increase strictly; point {i} ({equity[i].Timestamp:O}) is not after point {i - 1}.", nameof(equity));
            }
        }

        var returns = PeriodReturns(equity);
        var drawdown = Drawdowns(equity);
        var report = new PerformanceReport
        {
            Periods = Math.Max(0, equity.Count - 1),
            TotalReturn = returns is null ? null : (equity[^1].Equity / equity[0].Equity) - 1m,
            MaxDrawdown = drawdown.Max,
            MaxDrawdownDuration = drawdown.MaxDuration,
            MaxDrawdownRecovered = drawdown.Recovered,
            LongestDrawdownDuration = drawdown.Longest,
            TradeCount = trades.Count,
            WinningTrades = trades.Count(t => t.NetPnl > 0m),
            LosingTrades = trades.Count(t => t.NetPnl < 0m),
            TotalFees = totalFees,
        };
        report = WithReturnStatistics(report, returns, periodsPerYear, riskFreeRate);
        report = WithTradeStatistics(report, trades);
        return report with
        {
            Exposure = Exposure(equity, trades, open ?? []),
            Turnover = Turnover(equity, trades, open ?? []),
        };
    }

    /// <summary>
    /// The return periods a year of a curve of bars, from the bars themselves: <paramref name="sessionsPerYear"/> times the
    /// periods a session holds in this curve. A constant such as 390 minute bars a session is right only for regular hours
    /// with a bar every minute; files and feeds that include extended hours hold twice that, a thinly traded symbol less.
    /// Each period counts on the New York date its end falls in (a tick before the end, so a bar ending at midnight is its
    /// own day's); a session holds the mean over the dates that are neither the first nor the last (which a run usually
    /// starts or ends partway through). With no such date, whole sessions are not seen: the busiest date, and at least
    /// <paramref name="regularSessionPeriods"/>, a regular session's bars.
    /// </summary>
    public static int PeriodsPerYear(IReadOnlyList<EquityPoint> equity, int regularSessionPeriods, int sessionsPerYear = 252)
    {
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentOutOfRangeException.ThrowIfLessThan(regularSessionPeriods, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sessionsPerYear, 1);
        var perDate = new SortedDictionary<DateOnly, int>();
        for (var i = 1; i < equity.Count; i++)
        {
            var date = NyseCalendar.ExchangeDate(equity[i].Timestamp - TimeSpan.FromTicks(1));
            perDate[date] = perDate.GetValueOrDefault(date) + 1;
        }

        var perSession = perDate.Count >= 3 ? perDate.Values.Skip(1).SkipLast(1).Average()
            : Math.Max(perDate.Count > 0 ? perDate.Values.Max() : 0, regularSessionPeriods);
        return (int)Math.Min(Math.Round(perSession * sessionsPerYear), int.MaxValue);
    }

    private static double[]? PeriodReturns(IReadOnlyList<EquityPoint> equity)
    {
        if (equity.Count < 2)
        {
            return null;
        }

        var returns = new double[equity.Count - 1];
        for (var i = 1; i < equity.Count; i++)
        {
            if (equity[i - 1].Equity <= 0m)
            {
                return null;
            }

            returns[i - 1] = (double)((equity[i].Equity / equity[i - 1].Equity) - 1m);
        }

        return returns;
    }

    private static PerformanceReport WithReturnStatistics(PerformanceReport report, double[]? returns, int periodsPerYear, double riskFreeRate)
    {
        if (returns is null || report.TotalReturn is not { } total)
        {
            return report;
        }

        var n = returns.Length;
        var growth = 1d + (double)total;
        // A curve that ends at zero lost everything: 0^k - 1 = -100 % a year, defined; only a negative growth has no real root.
        var annualized = growth >= 0d ? Finite(Math.Pow(growth, (double)periodsPerYear / n) - 1d) : null;
        // Deviations from a shift (the first return), as RollingStandardDeviation does: equal returns then give exactly zero
        // variance (a plain double mean of 0.1, 0.1, 0.1 is 0.10000000000000002, and σ ~1e-17 made Sharpe ~1e17, not null).
        var shift = returns[0];
        var meanShifted = returns.Sum(r => r - shift) / n;
        var mean = shift + meanShifted;
        var excess = mean - (riskFreeRate / periodsPerYear);
        var scale = Math.Sqrt(periodsPerYear);
        double? stdev = null;
        if (n >= 2)
        {
            var sumSquares = returns.Sum(r => (r - shift - meanShifted) * (r - shift - meanShifted));
            stdev = Math.Sqrt(sumSquares / (n - 1));
        }

        var perPeriodRiskFree = riskFreeRate / periodsPerYear;
        var downside = Math.Sqrt(returns.Sum(r => Math.Pow(Math.Min(0d, r - perPeriodRiskFree), 2)) / n);
        return report with
        {
            AnnualizedReturn = annualized,
            AnnualizedVolatility = stdev is { } s ? Finite(s * scale) : null,
            SharpeRatio = stdev is { } sd && sd > 0d ? Finite(excess / sd * scale) : null,
            SortinoRatio = downside > 0d ? Finite(excess / downside * scale) : null,
        };
    }

    private static PerformanceReport WithTradeStatistics(PerformanceReport report, IReadOnlyList<RoundTripTrade> trades)
    {
        if (trades.Count == 0)
        {
            return report;
        }

        var statistics = TradeStatistics.Of(trades.Select(t => t.NetPnl));
        return report with
        {
            WinRate = statistics.WinRate,
            ProfitFactor = statistics.ProfitFactor,
            AverageWin = statistics.AverageWin,
            AverageLoss = statistics.AverageLoss,
        };
    }

    private static DrawdownSummary Drawdowns(IReadOnlyList<EquityPoint> equity)
    {
        if (equity.Count == 0)
        {
            return new DrawdownSummary(0m, TimeSpan.Zero, true, TimeSpan.Zero);
        }

        var peak = equity[0];
        var max = 0m;
        EquityPoint? maxPeak = null;
        var maxTroughIndex = -1;
        var longest = TimeSpan.Zero;
        for (var i = 1; i < equity.Count; i++)
        {
            var point = equity[i];
            if (point.Equity >= peak.Equity)
            {
                longest = Max(longest, i > 0 && equity[i - 1].Equity < peak.Equity ? point.Timestamp - peak.Timestamp : TimeSpan.Zero);
                peak = point;
                continue;
            }

            if (peak.Equity > 0m)
            {
                var depth = (peak.Equity - point.Equity) / peak.Equity;
                if (depth > max)
                {
                    max = depth;
                    maxPeak = peak;
                    maxTroughIndex = i;
                }
            }
        }

        var last = equity[^1];
        if (last.Equity < peak.Equity)
        {
            longest = Max(longest, last.Timestamp - peak.Timestamp);
        }

        if (maxPeak is null)
        {
            return new DrawdownSummary(0m, TimeSpan.Zero, true, longest);
        }

        for (var i = maxTroughIndex + 1; i < equity.Count; i++)
        {
            if (equity[i].Equity >= maxPeak.Equity)
            {
                return new DrawdownSummary(max, equity[i].Timestamp - maxPeak.Timestamp, true, longest);
            }
        }

        return new DrawdownSummary(max, last.Timestamp - maxPeak.Timestamp, false, longest);
    }

    private static double? Exposure(IReadOnlyList<EquityPoint> equity, IReadOnlyList<RoundTripTrade> trades, IReadOnlyList<OpenRoundTrip> open)
    {
        if (equity.Count < 2)
        {
            return null;
        }

        var start = equity[0].Timestamp;
        var end = equity[^1].Timestamp;
        var intervals = trades
            .Where(t => t.EntryTime is not null)
            .Select(t => (From: Clamp(t.EntryTime.GetValueOrDefault(), start, end), To: Clamp(t.ExitTime, start, end)))
            .Concat(open.Where(t => t.EntryTime is not null).Select(t => (From: Clamp(t.EntryTime.GetValueOrDefault(), start, end), To: end)))
            .Where(t => t.To > t.From)
            .OrderBy(t => t.From)
            .ToArray();

        // The union of the open intervals, so overlapping trades in two symbols are not counted twice.
        var covered = TimeSpan.Zero;
        DateTimeOffset? runStart = null;
        var runEnd = start;
        foreach (var (from, to) in intervals)
        {
            if (runStart is null || from > runEnd)
            {
                covered += runStart is null ? TimeSpan.Zero : runEnd - runStart.Value;
                runStart = from;
                runEnd = to;
            }
            else if (to > runEnd)
            {
                runEnd = to;
            }
        }

        covered += runStart is null ? TimeSpan.Zero : runEnd - runStart.Value;
        return (double)covered.Ticks / (end - start).Ticks;
    }

    private static decimal? Turnover(IReadOnlyList<EquityPoint> equity, IReadOnlyList<RoundTripTrade> trades, IReadOnlyList<OpenRoundTrip> open)
    {
        if (equity.Count == 0)
        {
            return null;
        }

        var averageEquity = equity.Average(p => p.Equity);
        if (averageEquity <= 0m)
        {
            return null;
        }

        // An open round trip's entries and whatever exits it has had so far.
        return (trades.Sum(t => t.Quantity * (t.EntryPrice + t.ExitPrice)) + open.Sum(t => t.OpenedNotional + t.ClosedNotional)) / averageEquity;
    }

    private static DateTimeOffset Clamp(DateTimeOffset value, DateTimeOffset min, DateTimeOffset max) =>
        value < min ? min : value > max ? max : value;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private sealed record DrawdownSummary(decimal Max, TimeSpan MaxDuration, bool Recovered, TimeSpan Longest);
}
