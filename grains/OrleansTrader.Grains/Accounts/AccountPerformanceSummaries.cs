using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The figures over an account's days, with the domain's statistics on the equity at each day's end.</summary>
internal static class AccountPerformanceSummaries
{
    /// <summary>A day is a calendar date (the trading calendar's), so a year has 365 of them (flat weekend days included).</summary>
    public const int DaysPerYear = 365;

    public static AccountPerformanceSummary Of(IReadOnlyList<AccountDay> days, ITradingCalendar calendar)
    {
        // The returns start at the deposit: days before it (an account opened empty) have nothing to return on, and a curve
        // that starts at zero has no returns at all. The totals still count every day, so they chain as before.
        var funded = days.SkipWhile(static d => d.StartEquity == 0m && d.CashFlow == 0m).ToList();
        var report = PerformanceStatistics.Compute(EquityCurve(funded, calendar, byDate: false), [], 0m, DaysPerYear);
        var closed = days.Where(d => d.Closed).ToList();
        var fundedClosed = funded.Where(d => d.Closed).ToList();
        var annual = fundedClosed.Count >= 2 ? PerformanceStatistics.Compute(EquityCurve(fundedClosed, calendar, byDate: true), [], 0m, DaysPerYear) : null;
        return new AccountPerformanceSummary
        {
            Days = days.Count,
            StartEquity = days.Count > 0 ? days[0].StartEquity : null,
            EndEquity = days.Count > 0 ? days[^1].EndEquity : null,
            Pnl = days.Sum(d => d.Pnl),
            CashFlow = days.Sum(d => d.CashFlow),
            RealizedPnl = days.Sum(d => d.RealizedPnl),
            Fees = days.Sum(d => d.Fees),
            Fills = days.Sum(d => d.Fills),
            TotalReturn = report.TotalReturn,
            AnnualizedReturn = annual?.AnnualizedReturn,
            AnnualizedVolatility = annual?.AnnualizedVolatility,
            SharpeRatio = annual?.SharpeRatio,
            SortinoRatio = annual?.SortinoRatio,
            MaxDrawdown = report.MaxDrawdown,
            WinningDays = closed.Count(d => d.Pnl > 0m),
            LosingDays = closed.Count(d => d.Pnl < 0m),
            BestDay = closed.Count > 0 ? closed.MaxBy(d => d.Pnl)!.Date : null,
            WorstDay = closed.Count > 0 ? closed.MinBy(d => d.Pnl)!.Date : null,
        };
    }

    /// <summary>
    /// The first day's start, then every day's end: the equity itself while no cash has moved, then the days' returns
    /// compounded from it (time-weighted, so a transfer is not a return; a day's net deposit counts as made at its start,
    /// a net withdrawal at its end, so its return is its P&amp;L over the most it held).
    /// A point no later than the one before replaces it (the open day queried at the instant it started), since the
    /// statistics need strictly increasing times. <paramref name="byDate"/> gives a day that spans several dates (closed
    /// at a later activation) a point at each midnight in it (the <paramref name="calendar"/>'s: where its trading dates
    /// start), its return spread evenly over its dates: at 365 periods a year each period must be one date, or ten dates
    /// of return would annualize as one.
    /// </summary>
    private static List<EquityPoint> EquityCurve(IReadOnlyList<AccountDay> days, ITradingCalendar calendar, bool byDate)
    {
        var curve = new List<EquityPoint>(days.Count + 1);
        if (days.Count == 0)
        {
            return curve;
        }

        // The first day's transfers count as made at its start: an account opened empty and funded the same day starts
        // from its deposit, not from zero (a curve that starts at zero has no returns at all).
        var start = days[0].StartEquity > 0m ? days[0].StartEquity : days[0].StartEquity + days[0].CashFlow;
        curve.Add(new EquityPoint(days[0].StartedAt, start));
        var value = start;
        var moved = false;
        foreach (var day in days)
        {
            moved |= day.CashFlow != 0m || day.StartEquity != value;
            // A withdrawal counted at the day's start shrank the base under the day's P&L: 100 lost on 10,000 before 9,800
            // went out was a 50% loss and drawdown (a gain before it, hundreds of percent).
            var basis = day.StartEquity + Math.Max(0m, day.CashFlow);
            var before = value;
            value = !moved ? day.EndEquity : basis > 0m ? value * (1m + (day.Pnl / basis)) : value;
            var dates = calendar.TradingDate(day.EndedAt).DayNumber - day.Date.DayNumber;
            if (byDate && dates > 1 && before > 0m && value > 0m)
            {
                var growth = (double)(value / before);
                for (var i = 1; i < dates; i++)
                {
                    var midnight = calendar.TradingDateStart(day.Date.AddDays(i));
                    curve.Add(new EquityPoint(midnight, before * (decimal)Math.Pow(growth, (double)i / dates)));
                }
            }

            var point = new EquityPoint(day.EndedAt, value);
            if (point.Timestamp <= curve[^1].Timestamp)
            {
                curve[^1] = point;
            }
            else
            {
                curve.Add(point);
            }
        }

        return curve;
    }
}
