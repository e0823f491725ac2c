using OrleansTrader.Domain.Orders;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

public sealed class MoneyReportTests
{
    [Fact]
    public void AFillEvent_IsReportedToTheCent_LikeTheFillsRoute_AndOtherEventsAreUntouched()
    {
        var fill = new AccountFill
        {
            Sequence = 3, ExecutionId = "x-1", OrderId = "O1", ClientOrderId = "c1", Symbol = "CENT", Side = OrderSide.Sell,
            Quantity = 1m, Price = 10.05m, Fee = 0.0049m, RealizedPnl = 0.033333333333m, Timestamp = DateTimeOffset.UnixEpoch,
        };
        var fillEvent = new AccountEvent { Sequence = 7, AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.Fill, Fill = fill };
        var breakerEvent = new AccountEvent { Sequence = 8, AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.BreakerChanged };

        var reported = MoneyReport.Round(fillEvent).Fill!;

        Assert.Equal(0.03m, reported.RealizedPnl);
        Assert.Equal(0.00m, reported.Fee);
        Assert.Equal(10.05m, reported.Price);
        Assert.Equal(0.033333333333m, fill.RealizedPnl);
        Assert.Same(breakerEvent, MoneyReport.Round(breakerEvent));
    }

    [Fact]
    public void ACashTransferEvent_ReportsTheCashAfterToTheCent()
    {
        var transfer = new CashTransfer { TransferId = "t", Amount = 10m, Sequence = 1, At = DateTimeOffset.UnixEpoch, CashAfter = 106.4111m };
        var transferEvent = new AccountEvent
        {
            Sequence = 9, AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.CashTransfer, Transfer = transfer,
        };

        var reported = MoneyReport.Round(transferEvent).Transfer!;

        Assert.Equal((106.41m, 10m, "t"), (reported.CashAfter, reported.Amount, reported.TransferId));
        Assert.Equal(106.4111m, transfer.CashAfter);
    }

    [Fact]
    public void AStrategysOwnPnl_IsReportedToTheCent_WhileItsPricesKeepTheirPrecision()
    {
        var status = new StrategyStatus
        {
            AccountId = "a", StrategyId = "s", Kind = "sma-crossover", Symbols = ["CENT"], Parameters = new Dictionary<string, string>(),
            BarInterval = TimeSpan.FromMinutes(1), Running = true, BarsSeen = 1, TicksSeen = 0, IntentsSent = 1, IntentsDenied = 0,
            IntentsSuppressed = 0, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
            Positions =
            [
                new AccountPosition
                {
                    Symbol = "CENT", Quantity = 3m, AverageEntryPrice = 10.0133333m, MarketPrice = 10.0155m, MarketValue = 30.0465m,
                    UnrealizedPnl = 0.0066001m, RealizedPnl = 1.234567m, FeesPaid = 0.0049m,
                },
            ],
            RealizedPnl = 1.234567m,
            FeesPaid = 0.0049m,
            UnrealizedPnl = 0.0066001m,
        };

        var reported = MoneyReport.Round(status);

        Assert.Equal((1.23m, 0.00m, 0.01m), (reported.RealizedPnl, reported.FeesPaid, reported.UnrealizedPnl));
        var position = Assert.Single(reported.Positions);
        Assert.Equal((30.05m, 0.01m, 1.23m, 0.00m), (position.MarketValue, position.UnrealizedPnl, position.RealizedPnl, position.FeesPaid));
        Assert.Equal((10.0133333m, 10.0155m), (position.AverageEntryPrice, position.MarketPrice));
    }

    [Fact]
    public void Performance_IsReportedToTheCent_AndItsPnlIsTheSumOfTheReportedDays()
    {
        static AccountDay Day(int date, decimal start, decimal end) => new()
        {
            Date = new DateOnly(2026, 3, date), Closed = true, StartedAt = DateTimeOffset.UnixEpoch.AddDays(date),
            EndedAt = DateTimeOffset.UnixEpoch.AddDays(date + 1), StartEquity = start, EndEquity = end, RealizedPnl = 0.125m,
            Fees = 0.0049m, Fills = 1,
        };

        // The equity goes from 100.005 to 100.014: 0.009, which rounds to 0.01, while the days as reported (at 100.01 each end)
        // add up to 0.00. The summary must say what its days say.
        var days = new[] { Day(2, 100.005m, 100.010m), Day(3, 100.010m, 100.014m) };
        var performance = new AccountPerformance
        {
            AccountId = "a",
            Days = days,
            Summary = new AccountPerformanceSummary
            {
                Days = 2, StartEquity = 100.005m, EndEquity = 100.014m, Pnl = 0.009m, RealizedPnl = 0.25m, Fees = 0.0098m, Fills = 2,
                MaxDrawdown = 0m, WinningDays = 2, LosingDays = 0, BestDay = days[0].Date, WorstDay = days[1].Date, SharpeRatio = 1.23456789,
            },
        };

        var reported = MoneyReport.Round(performance);

        Assert.Equal([0.00m, 0.00m], reported.Days.Select(d => d.Pnl));
        Assert.Equal(0.00m, reported.Summary.Pnl);
        Assert.Equal((100.01m, 100.01m), (reported.Summary.StartEquity, reported.Summary.EndEquity));
        Assert.Equal((0.25m, 0.01m), (reported.Summary.RealizedPnl, reported.Summary.Fees));
        Assert.Equal((0.13m, 0.00m), (reported.Days[0].RealizedPnl, reported.Days[0].Fees));
        Assert.Equal(1.23456789, reported.Summary.SharpeRatio);
    }

    /// <summary>
    /// The winning and losing days and the best and worst day are the closed days as reported: counted on the unrounded
    /// P&amp;L, a day shown as 0.00 was a winning day, and the best day could show less than another (a day's reported P&amp;L
    /// is the difference of its rounded equities, which does not keep the order of the unrounded ones).
    /// </summary>
    [Fact]
    public void Performance_CountsItsWinningAndLosingDays_AndPicksItsBestAndWorst_AsTheDaysAreReported()
    {
        static AccountDay Day(int date, decimal start, decimal end, bool closed = true) => new()
        {
            Date = new DateOnly(2026, 3, date), Closed = closed, StartedAt = DateTimeOffset.UnixEpoch.AddDays(date),
            EndedAt = DateTimeOffset.UnixEpoch.AddDays(date + 1), StartEquity = start, EndEquity = end, RealizedPnl = 0m, Fees = 0m, Fills = 1,
        };

        // Unrounded: +0.008 (best), -0.002 (worst), +0.006, and the open day's +0.5 (not counted). Reported: 0.00, 0.00, +0.01.
        var days = new[] { Day(2, 100.006m, 100.014m), Day(3, 100.014m, 100.012m), Day(4, 100.012m, 100.018m), Day(5, 100.018m, 100.518m, closed: false) };
        var performance = new AccountPerformance
        {
            AccountId = "a",
            Days = days,
            Summary = new AccountPerformanceSummary
            {
                Days = 4, StartEquity = 100.006m, EndEquity = 100.518m, Pnl = 0.512m, RealizedPnl = 0m, Fees = 0m, Fills = 4,
                MaxDrawdown = 0m, WinningDays = 2, LosingDays = 1, BestDay = days[0].Date, WorstDay = days[1].Date,
            },
        };

        var reported = MoneyReport.Round(performance);

        Assert.Equal([0.00m, 0.00m, 0.01m, 0.50m], reported.Days.Select(d => d.Pnl));
        Assert.Equal((1, 0), (reported.Summary.WinningDays, reported.Summary.LosingDays));
        Assert.Equal((days[2].Date, days[0].Date), (reported.Summary.BestDay, reported.Summary.WorstDay));
    }

    [Fact]
    public void AStrategysDays_AreReportedToTheCent_AndTheirTotalsAreTheReportedDays()
    {
        static StrategyDay Day(int date, decimal pnl) => new()
        {
            Date = new DateOnly(2026, 3, date), Closed = true, StartedAt = DateTimeOffset.UnixEpoch.AddDays(date),
            EndedAt = DateTimeOffset.UnixEpoch.AddDays(date + 1), Pnl = pnl, RealizedPnl = pnl, Fees = 0.0049m, Fills = 1,
        };

        // 0.005 + 0.005 = 0.01 unrounded, while each day reports 0.01 (half away from zero): the total says 0.02.
        var days = new[] { Day(2, 0.005m), Day(3, 0.005m) };
        var performance = new StrategyPerformance
        {
            AccountId = "a", StrategyId = "s", Days = days, Summary = StrategyPerformanceSummary.Of(days),
        };

        var reported = MoneyReport.Round(performance);

        Assert.Equal([0.01m, 0.01m], reported.Days.Select(d => d.Pnl));
        Assert.Equal((0.02m, 0.02m, 0.00m), (reported.Summary.Pnl, reported.Summary.RealizedPnl, reported.Summary.Fees));
        Assert.Equal((2, 0), (reported.Summary.WinningDays, reported.Summary.LosingDays));
    }

    [Fact]
    public void Trades_AreReportedToTheCent_AndTheirSummaryAddsUpTheReportedTrades()
    {
        static ClosedTrade Trade(long number, decimal realized, decimal fees) => new()
        {
            Number = number, Symbol = "CENT", IsLong = true, Quantity = 1m, EntryTime = DateTimeOffset.UnixEpoch, EntryPrice = 10m,
            ExitTime = DateTimeOffset.UnixEpoch.AddHours(number), ExitPrice = 10m + realized, RealizedPnl = realized, Fees = fees,
            ExitExecutionId = $"x-{number}",
        };

        // Two trades of +0.005 each report +0.01 (half away from zero), and one of -0.004 reports 0.00: the trades as
        // shown add up to 0.02 with no loss, while their unrounded sum, 0.006, rounds to 0.01 with one.
        var trades = new[] { Trade(3, -0.004m, 0m), Trade(2, 0.005m, 0m), Trade(1, 0.005m, 0m) };
        var history = new TradeHistory
        {
            AccountId = "a", Trades = trades, Open = [], Summary = Domain.Statistics.TradeStatistics.Of(trades.Select(t => t.NetPnl)),
        };

        var reported = MoneyReport.Round(history);

        Assert.Equal([0.00m, 0.01m, 0.01m], reported.Trades.Select(t => t.NetPnl));
        Assert.Equal(reported.Trades.Sum(t => t.NetPnl), reported.Summary.NetPnl);
        Assert.Equal((3, 2, 0), (reported.Summary.Count, reported.Summary.Winning, reported.Summary.Losing));
        Assert.Equal((0.01m, 0.00m), (reported.Summary.Best, reported.Summary.Worst));
    }
}
