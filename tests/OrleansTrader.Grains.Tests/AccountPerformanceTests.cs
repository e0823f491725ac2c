using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An account's days: each closes at the first valuation of a later UTC date, is stored, and chains into the next; the
/// performance query reports them with today's so far, survives a restart, and keeps only the configured number.
/// </summary>
public sealed class AccountPerformanceTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Days_CloseAtTheNextDate_ChainIntoEachOther_AndSurviveARestart()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time, sqlitePath: _dir.File("days.db"));
        var account = await TestAccounts.OpenAsync(cluster, "perf", 100_000m);

        // Day 1: buy 100 at 50, and the mark closes the day at 55 (+500 unrealized).
        await Market.QuoteAsync(cluster, "PRF", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("p-buy", "PRF", OrderSide.Buy, 100m), 1);
        await CrossMidnightAsync(cluster, time, "PRF", 55m);
        await account.RefreshAsync();

        // Day 2: sell the 100 at 55 (the 500 is realized: equity moves only by the sell's fees); day 3 starts flat.
        await Market.QuoteAsync(cluster, "PRF", 55m, 55m);
        await FillAsync(account, Market.MarketOrder("p-sell", "PRF", OrderSide.Sell, 100m), 2);
        await CrossMidnightAsync(cluster, time, "PRF", 52m);
        await account.RefreshAsync();

        var performance = (await account.GetPerformanceAsync(null, null))!;
        var days = performance.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 4)], days.Select(d => d.Date));
        Assert.Equal([true, true, false], days.Select(d => d.Closed));
        Assert.Equal(100_000m, days[0].StartEquity);
        Assert.Equal(100_500m, days[0].EndEquity);
        Assert.Equal(500m, days[0].Pnl);
        Assert.Equal(0m, days[0].RealizedPnl);
        Assert.Equal(1, days[0].Fills);
        Assert.Equal(500m, days[1].RealizedPnl);
        Assert.Equal(1, days[1].Fills);
        Assert.Equal(-days[1].Fees, days[1].Pnl);
        Assert.Equal(0m, days[2].Pnl);
        Assert.Equal(0, days[2].Fills);
        for (var i = 1; i < days.Count; i++)
        {
            Assert.Equal(days[i - 1].EndEquity, days[i].StartEquity);
            Assert.Equal(days[i - 1].EndedAt, days[i].StartedAt);
        }

        // The summary adds the days up, and its return is the equity's.
        var summary = performance.Summary;
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(3, summary.Days);
        Assert.Equal(snapshot.Equity, summary.EndEquity);
        Assert.Equal(summary.EndEquity - summary.StartEquity, summary.Pnl);
        Assert.Equal(snapshot.Fees, summary.Fees);
        Assert.Equal(snapshot.RealizedPnl, summary.RealizedPnl);
        Assert.Equal(2, summary.Fills);
        Assert.Equal((summary.EndEquity / summary.StartEquity) - 1m, summary.TotalReturn);
        Assert.Equal((1, 1), (summary.WinningDays, summary.LosingDays));
        Assert.Equal((days[0].Date, days[1].Date), (summary.BestDay, summary.WorstDay));

        // The annualized figures come from the two closed days alone (today is a part of a day).
        var closedReturns = new[] { (double)((days[0].EndEquity / days[0].StartEquity) - 1m), (double)((days[1].EndEquity / days[1].StartEquity) - 1m) };
        var mean = closedReturns.Average();
        var deviation = Math.Sqrt(closedReturns.Sum(r => (r - mean) * (r - mean)));
        Assert.Equal(mean / deviation * Math.Sqrt(365), summary.SharpeRatio!.Value, 9);
        Assert.Equal(days[1].Fees / days[0].EndEquity, summary.MaxDrawdown);

        // A date range picks days by their date, both ends included.
        var middle = (await account.GetPerformanceAsync(new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3)))!;
        Assert.Equal([new DateOnly(2026, 3, 3)], middle.Days.Select(d => d.Date));
        Assert.Equal(2, (await account.GetPerformanceAsync(new DateOnly(2026, 3, 3), null))!.Days.Count);

        // The closed days are stored, and today goes on from where it started.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "PRF", 52m, 52m);
        var restarted = (await cluster.Account("perf").GetPerformanceAsync(null, null))!;
        Assert.Equal(days, restarted.Days);
    }

    // A fill just after midnight, before the signal tick rolled the day, was booked into the day that ended: Monday showed
    // Tuesday's sell (its fill and the 500 it realized), and Tuesday started after it with nothing.
    [Fact]
    public async Task AFillAfterMidnight_BeforeTheDayRolled_CountsInTheNewDay()
    {
        // Minutes before midnight, so the account stays active across it (an activation would roll the day itself).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 58, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "perf-late-fill", 100_000m);
        await Market.QuoteAsync(cluster, "PRL", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("pl-buy", "PRL", OrderSide.Buy, 100m), 1);
        await CrossMidnightAsync(cluster, time, "PRL", 55m);

        // No refresh: the sell's fill is the first thing the account books on Tuesday.
        await Market.QuoteAsync(cluster, "PRL", 55m, 55m);
        await FillAsync(account, Market.MarketOrder("pl-sell", "PRL", OrderSide.Sell, 100m), 2);

        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal((1, 0m, 100_500m), (days[0].Fills, days[0].RealizedPnl, days[0].EndEquity));
        Assert.Equal((1, 500m), (days[1].Fills, days[1].RealizedPnl));
        Assert.Equal(-days[1].Fees, days[1].Pnl);
    }

    // A fill reconciliation found after midnight, before the signal tick rolled the day, was booked into the day that ended,
    // as the live fill path did: Monday showed Tuesday's sell (its fill and the 500 it realized).
    [Fact]
    public async Task AFillBackfilledAfterMidnight_BeforeTheDayRolled_CountsInTheNewDay()
    {
        // The venue's fill reports are a minute away, and the clock stops short of them: the account books its fills only
        // from reconciliation's back-fill (a report arriving after midnight would roll the day itself).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 30, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, fillLatency: TimeSpan.FromMinutes(1));
        var account = await TestAccounts.OpenAsync(cluster, "perf-late-backfill", 100_000m);
        await Market.QuoteAsync(cluster, "PRB", 50m, 50m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("pb-buy", "PRB", OrderSide.Buy, 100m))).Succeeded);
        Assert.Equal(1, (await account.ReconcileAsync()).BackfilledFills);
        await CrossMidnightAsync(cluster, time, "PRB", 55m);

        // No refresh: the sell's back-filled fill is the first thing the account books on Tuesday.
        await Market.QuoteAsync(cluster, "PRB", 55m, 55m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("pb-sell", "PRB", OrderSide.Sell, 100m))).Succeeded);
        Assert.Equal(1, (await account.ReconcileAsync()).BackfilledFills);

        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal((1, 0m, 100_500m), (days[0].Fills, days[0].RealizedPnl, days[0].EndEquity));
        Assert.Equal((1, 500m), (days[1].Fills, days[1].RealizedPnl));
        Assert.Equal(-days[1].Fees, days[1].Pnl);
    }

    // An account the query wakes (idle, or after a restart) has no marks yet: with a position open it could not value
    // today, and the report left today's row out (its P&L, and the summary's, missing until the signal tick marked it).
    [Fact]
    public async Task AQueryThatWakesTheAccount_WithAPositionOpen_ReportsToday()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time, sqlitePath: _dir.File("wake.db"));
        var account = await TestAccounts.OpenAsync(cluster, "perf-wake", 100_000m);
        await Market.QuoteAsync(cluster, "PRW", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("pw-buy", "PRW", OrderSide.Buy, 100m), 1);

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "PRW", 55m, 55m);
        var performance = (await cluster.Account("perf-wake").GetPerformanceAsync(null, null))!;

        var today = Assert.Single(performance.Days);
        Assert.Equal((new DateOnly(2026, 3, 2), false), (today.Date, today.Closed));
        Assert.Equal(100_500m - today.Fees, today.EndEquity);
        Assert.Equal(today.Pnl, performance.Summary.Pnl);
    }

    [Fact]
    public void AClosedDaySpanningSeveralDates_IsAnnualizedAsThatManyDays()
    {
        // +1% on Monday; then the account sleeps until the next Friday week: its day of the 3rd spans 10 dates, +1% in all.
        AccountDay Day(DateOnly date, DateTimeOffset started, DateTimeOffset ended, decimal start, decimal end) => new()
        {
            Date = date, Closed = true, StartedAt = started, EndedAt = ended, StartEquity = start, EndEquity = end,
            RealizedPnl = 0m, Fees = 0m, Fills = 0,
        };
        var midnight = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        var days = new[]
        {
            Day(new DateOnly(2026, 3, 2), Monday, midnight, 100_000m, 101_000m),
            Day(new DateOnly(2026, 3, 3), midnight, midnight.AddDays(10).AddHours(9), 101_000m, 102_010m),
        };

        var summary = AccountPerformanceSummaries.Of(days, AlwaysOpenCalendar.Instance);

        // 11 calendar days (the 2nd to the 12th) at 365 a year, the long day's return spread evenly over its dates.
        Assert.Equal(Math.Pow(1.0201, 365d / 11) - 1, summary.AnnualizedReturn!.Value, 9);
        var daily = new[] { 0.01 }.Concat(Enumerable.Repeat(Math.Pow(1.01, 1d / 10) - 1, 10)).ToArray();
        var mean = daily.Average();
        var deviation = Math.Sqrt(daily.Sum(r => (r - mean) * (r - mean)) / (daily.Length - 1));
        Assert.Equal(deviation * Math.Sqrt(365), summary.AnnualizedVolatility!.Value, 9);
        Assert.Equal(mean / deviation * Math.Sqrt(365), summary.SharpeRatio!.Value, 6);
    }

    [Fact]
    public void Summary_ReturnsStartAtTheDeposit_NotAtLeadingUnfundedDays()
    {
        // Opened empty on Monday, funded with 100,000 on Tuesday; +1% on Tuesday and on Wednesday. The returns came out null:
        // the curve started at Monday's zero equity.
        AccountDay Day(DateOnly date, decimal start, decimal cashFlow, decimal end) => new()
        {
            Date = date, Closed = true, StartedAt = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            EndedAt = new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            StartEquity = start, CashFlow = cashFlow, EndEquity = end, RealizedPnl = 0m, Fees = 0m, Fills = 0,
        };
        var days = new[]
        {
            Day(new DateOnly(2026, 3, 2), 0m, 0m, 0m),
            Day(new DateOnly(2026, 3, 3), 0m, 100_000m, 101_000m),
            Day(new DateOnly(2026, 3, 4), 101_000m, 0m, 102_010m),
        };

        var summary = AccountPerformanceSummaries.Of(days, AlwaysOpenCalendar.Instance);

        Assert.Equal(0.0201m, summary.TotalReturn);
        Assert.Equal(Math.Pow(1.0201, 365d / 2) - 1, summary.AnnualizedReturn!.Value, 9);
        Assert.Equal(0m, summary.MaxDrawdown);

        // The totals still count every day: the unfunded one adds nothing, and they chain from its zero.
        Assert.Equal((3, 0m, 100_000m, 2_010m), (summary.Days, summary.StartEquity, summary.CashFlow, summary.Pnl));
    }

    // A day's transfers all counted as made at its start: a withdrawal at the day's end shrank the base its P&L was a return
    // on. 100 lost on 10,000, then 9,800 withdrawn, was a 50% loss and a 50% drawdown; 500 made on 10,000, then 9,900
    // withdrawn, a 500% gain. A net withdrawal now counts as made at the day's end (a deposit still at its start), so the
    // return is the P&L over the most the day held, which no transfer magnifies.
    [Theory]
    [InlineData(-100, -9_800, -0.01, 0.01)]
    [InlineData(500, -9_900, 0.05, 0)]
    public void Summary_AWithdrawalAtTheDaysEnd_DoesNotMagnifyItsReturn(int pnl, int withdrawn, double dayReturn, double drawdown)
    {
        AccountDay Day(DateOnly date, decimal start, decimal cashFlow, decimal end) => new()
        {
            Date = date, Closed = true, StartedAt = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            EndedAt = new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            StartEquity = start, CashFlow = cashFlow, EndEquity = end, RealizedPnl = 0m, Fees = 0m, Fills = 0,
        };
        var left = 10_000m + pnl + withdrawn;
        var days = new[]
        {
            Day(new DateOnly(2026, 3, 2), 10_000m, withdrawn, left),
            Day(new DateOnly(2026, 3, 3), left, 0m, left * 1.01m),
        };

        var summary = AccountPerformanceSummaries.Of(days, AlwaysOpenCalendar.Instance);

        Assert.Equal(((1m + (decimal)dayReturn) * 1.01m) - 1m, summary.TotalReturn);
        Assert.Equal((decimal)drawdown, summary.MaxDrawdown);
    }

    // The tick rolled the day, then its report to the breaker failed (under load it timed out): the tick skipped its write,
    // the ticks after it found nothing new since they started, and a restart or an idle collection dropped the roll. The
    // next activation rolled from the day before, and the lost day had no row (TradingWeekTests' Sunday, now and then).
    [Fact]
    public async Task ADayRolledByASignalWhoseBreakerReportFailed_IsStoredBeforeTheAccountGoesAway()
    {
        // Minutes before midnight, so the account stays active across it (an activation would roll the day itself).
        var breakerReports = new FailingBreakerReports();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 58, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, sqlitePath: _dir.File("rolled.db"),
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(breakerReports));
        var account = await TestAccounts.OpenAsync(cluster, "perf-rolled", 100_000m);

        time.Advance(TimeSpan.FromMinutes(5));
        var rolledAt = time.GetUtcNow();
        breakerReports.FailNext = true;
        await Assert.ThrowsAsync<TimeoutException>(() => account.RefreshAsync());
        await account.RefreshAsync();
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(1));

        var days = (await cluster.Account("perf-rolled").GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 4)], days.Select(d => d.Date));
        Assert.Equal(rolledAt, days[1].StartedAt);
    }

    [Fact]
    public async Task OnlyTheConfiguredNumberOfDays_IsKept()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time, daysKept: 2);
        var account = await TestAccounts.OpenAsync(cluster, "perf-kept", 50_000m);
        for (var day = 0; day < 4; day++)
        {
            time.Advance(TimeSpan.FromDays(1));
            await account.RefreshAsync();
        }

        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 6)], days.Select(d => d.Date));
        Assert.All(days, d => Assert.Equal(50_000m, d.EndEquity));

        // A query after midnight closes the day before answering, without waiting for the signal tick.
        time.Advance(TimeSpan.FromDays(1));
        var queried = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 6), new DateOnly(2026, 3, 7)], queried.Select(d => d.Date));
        Assert.Equal([true, true, false], queried.Select(d => d.Closed));
    }

    [Fact]
    public async Task AnAccountNeverOpened_HasNoPerformance_AndANewOneHasItsFirstDay()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        Assert.Null(await cluster.Account("perf-none").GetPerformanceAsync(null, null));

        var account = await TestAccounts.OpenAsync(cluster, "perf-new", 10_000m);
        time.Advance(TimeSpan.FromHours(1));
        var performance = (await account.GetPerformanceAsync(null, null))!;
        var today = Assert.Single(performance.Days);
        Assert.False(today.Closed);
        Assert.Equal(10_000m, today.StartEquity);
        Assert.Equal(0m, today.Pnl);
        Assert.Equal(1, performance.Summary.Days);
        Assert.Equal(0m, performance.Summary.TotalReturn);
        Assert.Null(performance.Summary.SharpeRatio);
        Assert.Null(performance.Summary.AnnualizedReturn);
        Assert.Equal((0, 0, null), (performance.Summary.WinningDays, performance.Summary.LosingDays, performance.Summary.BestDay));
    }

    private static Task<TradingCluster> StartAsync(
        FakeTimeProvider time, int daysKept = 1830, string? sqlitePath = null, TimeSpan? fillLatency = null, Action<ISiloBuilder>? configureSilo = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = sqlitePath,

            // The tests roll the day themselves (RefreshAsync); the timers stay out of the way.
            ConfigureSilo = silo =>
            {
                silo.Configure<AccountGrainOptions>(o =>
                {
                    o.SignalInterval = TimeSpan.FromDays(30);
                    o.ReconcileInterval = TimeSpan.FromDays(30);
                    o.DaysKept = daysKept;
                });
                if (fillLatency is { } latency)
                {
                    silo.Configure<PaperExchangeOptions>(o => o.FillLatency = latency);
                }

                configureSilo?.Invoke(silo);
            },
        });

    /// <summary>Fails the next report of an account's signals to its breaker, as a call that timed out.</summary>
    private sealed class FailingBreakerReports : IIncomingGrainCallFilter
    {
        private int _failNext;

        public bool FailNext
        {
            get => Volatile.Read(ref _failNext) != 0;
            set => Volatile.Write(ref _failNext, value ? 1 : 0);
        }

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is IBreakerGrain && context.MethodName == nameof(IBreakerGrain.ReportAccountSignalsAsync)
                && Interlocked.Exchange(ref _failNext, 0) != 0)
            {
                return Task.FromException(new TimeoutException("The breaker did not answer in time (test)."));
            }

            return context.Invoke();
        }
    }
}
