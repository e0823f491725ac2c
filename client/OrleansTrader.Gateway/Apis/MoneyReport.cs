using OrleansTrader.Domain;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// The API is where money is reported, so it rounds there (ARCHITECTURE.md, trading rules): amounts of money to the cent,
/// half away from zero (<see cref="Money.RoundForReport"/>). Prices and quantities keep their precision, and the grains
/// keep full precision for every calculation; only what the API answers is rounded.
/// </summary>
internal static class MoneyReport
{
    public static AccountSnapshot Round(AccountSnapshot s) => s with
    {
        Cash = Money.RoundForReport(s.Cash),
        Equity = Round(s.Equity),
        BuyingPower = Round(s.BuyingPower),
        Reserved = Money.RoundForReport(s.Reserved),
        LongMarketValue = Round(s.LongMarketValue),
        ShortMarketValue = Round(s.ShortMarketValue),
        RealizedPnl = Money.RoundForReport(s.RealizedPnl),
        UnrealizedPnl = Round(s.UnrealizedPnl),
        DayPnl = Round(s.DayPnl),
        Fees = Money.RoundForReport(s.Fees),
        NetRealizedPnl = Money.RoundForReport(s.NetRealizedPnl),
        HighWaterMark = Money.RoundForReport(s.HighWaterMark),
    };

    /// <summary>An account's days and their summary; the ratios keep their precision.</summary>
    public static AccountPerformance Round(AccountPerformance p)
    {
        var days = p.Days.Select(Round).ToList();

        // Counted and picked on the closed days as reported, as the grain does on the unrounded ones: a day shown as 0.00 was
        // a winning day, and a best day could show less than another (a reported day's P&L, the difference of its rounded
        // equities, does not keep the unrounded order).
        var closed = days.Where(d => d.Closed).ToList();
        return p with
        {
            Days = days,
            Summary = p.Summary with
            {
                StartEquity = Round(p.Summary.StartEquity),
                EndEquity = Round(p.Summary.EndEquity),

                // The sum of the rounded days, so the report adds up to the cent.
                Pnl = days.Sum(d => d.Pnl),
                RealizedPnl = Money.RoundForReport(p.Summary.RealizedPnl),
                Fees = Money.RoundForReport(p.Summary.Fees),
                CashFlow = days.Sum(d => d.CashFlow),
                WinningDays = closed.Count(d => d.Pnl > 0m),
                LosingDays = closed.Count(d => d.Pnl < 0m),
                BestDay = closed.Count > 0 ? closed.MaxBy(d => d.Pnl)!.Date : null,
                WorstDay = closed.Count > 0 ? closed.MinBy(d => d.Pnl)!.Date : null,
            },
        };
    }

    /// <summary>A day: its P&amp;L is the difference of the rounded equities, so the days still add up to the cent.</summary>
    public static AccountDay Round(AccountDay d) => d with
    {
        StartEquity = Money.RoundForReport(d.StartEquity),
        EndEquity = Money.RoundForReport(d.EndEquity),
        RealizedPnl = Money.RoundForReport(d.RealizedPnl),
        Fees = Money.RoundForReport(d.Fees),
    };

    /// <summary>A strategy's days and their totals (the totals are the days as reported, to the cent).</summary>
    public static StrategyPerformance Round(StrategyPerformance p)
    {
        var days = p.Days.Select(d => d with
        {
            Pnl = Money.RoundForReport(d.Pnl),
            RealizedPnl = Money.RoundForReport(d.RealizedPnl),
            Fees = Money.RoundForReport(d.Fees),
        }).ToList();
        return p with
        {
            Days = days,
            Summary = p.Summary with { Pnl = days.Sum(d => d.Pnl), RealizedPnl = days.Sum(d => d.RealizedPnl), Fees = days.Sum(d => d.Fees) },
        };
    }

    public static IReadOnlyList<AccountPosition> Round(IReadOnlyList<AccountPosition> positions) =>
        [.. positions.Select(p => p with
        {
            MarketValue = Round(p.MarketValue),
            UnrealizedPnl = Round(p.UnrealizedPnl),
            RealizedPnl = Money.RoundForReport(p.RealizedPnl),
            FeesPaid = Money.RoundForReport(p.FeesPaid),
        })];

    public static AccountFill Round(AccountFill fill) => AccountEventReport.Round(fill);

    public static IReadOnlyList<AccountFill> Round(IReadOnlyList<AccountFill> fills) => [.. fills.Select(Round)];

    /// <summary>An account event as the API shows it: a fill event's fill and a transfer event's transfer are rounded like the routes' answers.</summary>
    public static AccountEvent Round(AccountEvent e) => AccountEventReport.Round(e);

    public static CashTransfer Round(CashTransfer transfer) => AccountEventReport.Round(transfer);

    public static IReadOnlyList<CashTransfer> Round(IReadOnlyList<CashTransfer> transfers) => [.. transfers.Select(Round)];

    /// <summary>An order preview: the reservation and the fee; the reference price and the quantities keep their precision.</summary>
    public static RiskDecision Round(RiskDecision d) => d with
    {
        EstimatedFee = Round(d.EstimatedFee),
        RequiredReservation = Round(d.RequiredReservation),
    };

    /// <summary>A strategy's own positions and P&amp;L.</summary>
    public static StrategyStatus Round(StrategyStatus s) => s with
    {
        Positions = Round(s.Positions),
        RealizedPnl = Money.RoundForReport(s.RealizedPnl),
        FeesPaid = Money.RoundForReport(s.FeesPaid),
        UnrealizedPnl = Round(s.UnrealizedPnl),
    };

    /// <summary>
    /// Each trade's P&amp;L and fees, and a summary of the trades as reported (so it adds up to the cent, and a trade shown at
    /// 0.00 is neither a win nor a loss); prices keep their precision.
    /// </summary>
    public static TradeHistory Round(TradeHistory t)
    {
        var trades = t.Trades.Select(x => x with { RealizedPnl = Money.RoundForReport(x.RealizedPnl), Fees = Money.RoundForReport(x.Fees) }).ToList();
        var summary = TradeStatistics.Of(trades.Select(x => x.NetPnl));
        return t with
        {
            Trades = trades,
            Open = [.. t.Open.Select(x => x with { RealizedPnl = Money.RoundForReport(x.RealizedPnl), Fees = Money.RoundForReport(x.Fees) })],
            Summary = summary with { AverageWin = Round(summary.AverageWin), AverageLoss = Round(summary.AverageLoss) },
        };
    }

    /// <summary>A backtest's money: cash, equity, P&amp;L and fees, and each round trip's P&amp;L and fees.</summary>
    public static BacktestReport Round(BacktestReport r) => r with
    {
        InitialCash = Money.RoundForReport(r.InitialCash),
        EndingCash = Money.RoundForReport(r.EndingCash),
        EndingEquity = Money.RoundForReport(r.EndingEquity),
        NetPnl = Money.RoundForReport(r.NetPnl),
        TotalFees = Money.RoundForReport(r.TotalFees),
        Statistics = Round(r.Statistics),
        RoundTrips = [.. r.RoundTrips.Select(t => t with { RealizedPnl = Money.RoundForReport(t.RealizedPnl), Fees = Money.RoundForReport(t.Fees) })],
        EquityCurve = [.. r.EquityCurve.Select(p => p with { Equity = Money.RoundForReport(p.Equity) })],
    };

    public static BacktestSweepReport Round(BacktestSweepReport r) => r with
    {
        Runs = [.. r.Runs.Select(run => run with
        {
            EndingEquity = Money.RoundForReport(run.EndingEquity),
            NetPnl = Money.RoundForReport(run.NetPnl),
            TotalFees = Money.RoundForReport(run.TotalFees),
            Statistics = Round(run.Statistics),
            Validation = run.Validation is { } validation ? Round(validation) : null,
        })],
    };

    private static BacktestOutcome Round(BacktestOutcome o) => o with
    {
        EndingEquity = Money.RoundForReport(o.EndingEquity),
        NetPnl = Money.RoundForReport(o.NetPnl),
        TotalFees = Money.RoundForReport(o.TotalFees),
        Statistics = Round(o.Statistics),
    };

    private static PerformanceReport Round(PerformanceReport s) => s with
    {
        TotalFees = Money.RoundForReport(s.TotalFees),
        AverageWin = Round(s.AverageWin),
        AverageLoss = Round(s.AverageLoss),
    };

    private static decimal? Round(decimal? amount) => amount is { } value ? Money.RoundForReport(value) : null;
}
