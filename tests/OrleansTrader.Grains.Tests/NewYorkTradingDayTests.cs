using OrleansTrader.Domain.Breaker;
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
/// On the NYSE calendar an account's trading day is the New York date (grains.md "Trading days"). In December New York is
/// UTC-5, so UTC midnight is 19:00 there, inside the after-hours session (16:00-20:00): the instants below are worked out
/// from that offset, not from the calendar's code. An after-hours fill at 19:30 belongs to the day of that morning's
/// session, the breaker sums the day's losses over it, and an account's or a strategy's day stored under the old UTC rule never
/// rolls backwards.
/// </summary>
public sealed class NewYorkTradingDayTests : IDisposable
{
    // Monday 2026-12-07, New York on EST (UTC-5).
    private static readonly DateOnly Monday = new(2026, 12, 7);
    private static readonly DateOnly Tuesday = new(2026, 12, 8);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnAfterHoursFillAt1930NewYork_CountsInThatDay_WhichRollsAtNewYorkMidnight()
    {
        // 10:00 New York.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, NyseCalendar.Instance);
        var account = await TestAccounts.OpenAsync(cluster, "ny-day", 100_000m);
        await Market.QuoteAsync(cluster, "NYD", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("nyd-buy", "NYD", OrderSide.Buy, 100m), 1);

        // 19:30 New York is 00:30 UTC on Tuesday: the sell goes after hours, on Monday's New York date.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 0, 30, 0, TimeSpan.Zero));
        await Market.QuoteAsync(cluster, "NYD", 55m, 55m);
        await FillAsync(account, ExtendedLimit("nyd-sell", "NYD", OrderSide.Sell, 100m, 54m), 2);
        await account.RefreshAsync();

        var evening = (await account.GetPerformanceAsync(null, null))!.Days;
        var monday = Assert.Single(evening);
        Assert.Equal((Monday, false, 2, 500m), (monday.Date, monday.Closed, monday.Fills, monday.RealizedPnl));

        // 23:59:50 New York (04:59:50 UTC) is still Monday; ten seconds past New York midnight Tuesday starts.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 4, 59, 50, TimeSpan.Zero));
        await account.RefreshAsync();
        Assert.Equal([Monday], (await account.GetPerformanceAsync(null, null))!.Days.Select(d => d.Date));
        time.Advance(TimeSpan.FromSeconds(15));
        await account.RefreshAsync();

        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([Monday, Tuesday], days.Select(d => d.Date));
        Assert.Equal((true, 2, 500m), (days[0].Closed, days[0].Fills, days[0].RealizedPnl));
        Assert.Equal((0, 0m), (days[1].Fills, days[1].RealizedPnl));

        // The round trip closed at 00:30 UTC is Monday's trade, as its fee's trade date is.
        Assert.Single((await account.GetTradesAsync(new TradeQuery { From = Monday, To = Monday, Limit = 10 }))!.Trades);
        Assert.Empty((await account.GetTradesAsync(new TradeQuery { From = Tuesday, To = Tuesday, Limit = 10 }))!.Trades);
    }

    [Fact]
    public async Task TheBreakersDailyLoss_SumsALossAt1500NewYork_AndOneAt1930NewYork()
    {
        // 14:55 New York.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 19, 55, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, NyseCalendar.Instance);
        var account = await TestAccounts.OpenAsync(cluster, "ny-loss", 100_000m, policy: BreakerPolicy.Default with { DailyLossLimit = 500m });
        await Market.QuoteAsync(cluster, "NYL", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("nyl-buy-1", "NYL", OrderSide.Buy, 100m), 1);

        // 15:00 New York: 100 x (47 - 50) = -300, within the 500 limit.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero));
        await Market.QuoteAsync(cluster, "NYL", 47m, 47m);
        await FillAsync(account, Market.MarketOrder("nyl-sell-1", "NYL", OrderSide.Sell, 100m), 2);
        await account.RefreshAsync();
        Assert.Equal(TradingState.Active, (await cluster.Breaker("ny-loss").GetStateAsync()).State);

        // 19:30 New York (00:30 UTC Tuesday), after hours: another -300 the same New York day, -600 in all.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 0, 30, 0, TimeSpan.Zero));
        await Market.QuoteAsync(cluster, "NYL", 50m, 50m);
        await FillAsync(account, ExtendedLimit("nyl-buy-2", "NYL", OrderSide.Buy, 100m, 51m), 3);
        await Market.QuoteAsync(cluster, "NYL", 47m, 47m);
        await FillAsync(account, ExtendedLimit("nyl-sell-2", "NYL", OrderSide.Sell, 100m, 46m), 4);
        await account.RefreshAsync();

        var breaker = await cluster.Breaker("ny-loss").GetStateAsync();
        Assert.Equal(TradingState.Reducing, breaker.State);
        Assert.Equal(BreakerTrigger.DailyLoss, breaker.LastTrigger);
    }

    [Fact]
    public async Task ADayStartedUnderTheUtcRule_OneDateAheadOfNewYork_DoesNotRollBackwards()
    {
        var path = _dir.File("upgrade.db");

        // 19:30 New York Monday, 00:30 UTC Tuesday: the build before this one dated the account's day Tuesday (UTC).
        var opened = new DateTimeOffset(2026, 12, 8, 0, 30, 0, TimeSpan.Zero);
        await using (var before = await StartAsync(new FakeTimeProvider(opened), AlwaysOpenCalendar.Instance, path))
        {
            await TestAccounts.OpenAsync(before, "ny-upgrade", 10_000m);
        }

        // The upgraded build at 20:00 New York Monday: the New York date is a day behind the stored one.
        var time = new FakeTimeProvider(opened.AddMinutes(30));
        await using var cluster = await StartAsync(time, NyseCalendar.Instance, path);
        var account = cluster.Account("ny-upgrade");
        await account.RefreshAsync();
        var day = Assert.Single((await account.GetPerformanceAsync(null, null))!.Days);
        Assert.Equal((Tuesday, false, opened), (day.Date, day.Closed, day.StartedAt));

        // New York's Tuesday is the stored day already: it lasts until New York's Wednesday starts.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 15, 0, 0, TimeSpan.Zero));
        await account.RefreshAsync();
        Assert.Equal([Tuesday], (await account.GetPerformanceAsync(null, null))!.Days.Select(d => d.Date));
        time.SetUtcNow(new DateTimeOffset(2026, 12, 9, 5, 0, 5, TimeSpan.Zero));
        await account.RefreshAsync();
        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([Tuesday, Tuesday.AddDays(1)], days.Select(d => d.Date));
        Assert.True(days[0].Closed);
    }

    [Fact]
    public async Task AStrategysDayStartedUnderTheUtcRule_OneDateAheadOfNewYork_DoesNotRollBackwards()
    {
        var path = _dir.File("strategy-upgrade.db");
        var key = StrategyKey.Create("ny-strategy", "sma");

        // 19:30 New York Monday, 00:30 UTC Tuesday: the build before this one dated the strategy's first day Tuesday (UTC).
        var created = new DateTimeOffset(2026, 12, 8, 0, 30, 0, TimeSpan.Zero);
        await using (var before = await StartAsync(new FakeTimeProvider(created), AlwaysOpenCalendar.Instance, path))
        {
            await TestAccounts.OpenAsync(before, "ny-strategy", 10_000m);
            var made = await before.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
            {
                Kind = "sma-crossover",
                Symbols = ["NYS"],
                Parameters = new Dictionary<string, string> { ["symbol"] = "NYS", ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = "3" },
                Start = false,
            });
            Assert.True(made.Succeeded, made.Message);
        }

        // The upgraded build at 20:00 New York Monday: the stored day is a date ahead, and stays open.
        var time = new FakeTimeProvider(created.AddMinutes(30));
        await using var cluster = await StartAsync(time, NyseCalendar.Instance, path);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        var day = Assert.Single((await strategy.GetPerformanceAsync(null, null))!.Days);
        Assert.Equal((Tuesday, false, created), (day.Date, day.Closed, day.StartedAt));

        // It lasts through New York's Tuesday and closes when New York's Wednesday starts.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 15, 0, 0, TimeSpan.Zero));
        Assert.Equal([Tuesday], (await strategy.GetPerformanceAsync(null, null))!.Days.Select(d => d.Date));
        time.SetUtcNow(new DateTimeOffset(2026, 12, 9, 5, 0, 5, TimeSpan.Zero));
        var days = (await strategy.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([Tuesday, Tuesday.AddDays(1)], days.Select(d => d.Date));
        Assert.True(days[0].Closed);
    }

    private static PlaceOrder ExtendedLimit(string clientOrderId, string symbol, OrderSide side, decimal quantity, decimal price)
    {
        var order = Market.Limit(clientOrderId, symbol, side, quantity, price);
        return order with { Request = order.Request with { ExtendedHours = true } };
    }

    // Down from 23:00 New York to 01:00 (04:00 to 06:00 UTC): the account closes Monday at its activation, at the equity of
    // that moment, and Tuesday starts there.
    [Fact]
    public async Task ASiloDownAcrossNewYorkMidnight_ClosesTheDayAtTheAccountsNextActivation()
    {
        // 10:00 New York.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, NyseCalendar.Instance, _dir.File("ny-down.db"));
        var account = await TestAccounts.OpenAsync(cluster, "ny-down", 100_000m);
        await Market.QuoteAsync(cluster, "NYW", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("nyw-buy", "NYW", OrderSide.Buy, 100m), 1);

        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 4, 0, 0, TimeSpan.Zero));
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 6, 0, 0, TimeSpan.Zero));
        await Market.QuoteAsync(cluster, "NYW", 52m, 52m);
        var days = (await cluster.Account("ny-down").GetPerformanceAsync(null, null))!.Days;

        Assert.Equal([(Monday, true), (Tuesday, false)], days.Select(d => (d.Date, d.Closed)));
        Assert.Equal((100_200m, new DateTimeOffset(2026, 12, 8, 6, 0, 0, TimeSpan.Zero)), (days[0].EndEquity, days[0].EndedAt));
        Assert.Equal((days[0].EndEquity, days[0].EndedAt), (days[1].StartEquity, days[1].StartedAt));
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, ITradingCalendar calendar, string? sqlitePath = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            Calendar = calendar,
            SqlitePath = sqlitePath,

            // The tests roll the day themselves (RefreshAsync); the timers stay out of the way.
            ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o =>
            {
                o.SignalInterval = TimeSpan.FromDays(30);
                o.ReconcileInterval = TimeSpan.FromDays(30);
            }),
        });
}
