using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>A strategy's own P&amp;L by day: a day closes at the first save tick of a later date, and a re-created strategy starts without days.</summary>
public sealed class StrategyPerformanceTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ADay_ClosesAtTheNextDate_WithTheStrategysOwnPnl_AndARecreatedStrategyStartsAfresh()
    {
        var time = new FakeTimeProvider(Noon);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(OneBuy.Definition);
                silo.Configure<Accounts.AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromDays(30));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "spf", 100_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("spf", "one"));
        await CreateAsync(strategy);

        // Day 1: the first bar buys 10 at 50.
        await Market.QuoteAsync(cluster, "SPF", 50m, 50m);
        await BarAsync(cluster, strategy, time, 50m, 1);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.Positions, p => p.Count == 1 && p[0].Quantity == 10m, "the strategy's own fill");

        // The mark is 52 at midnight: day 1 made 10 x 2 unrealized. The save tick after the date changed closes it. (A
        // symbol grain idle for hours of the fake clock is collected with its quote, so the quote comes just before.)
        // The clock moves on a second at a time until the tick has run: a tick re-arms only once it has finished, so one
        // jump of the fake clock may find it still busy with the tick before.
        time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(10));
        await Market.QuoteAsync(cluster, "SPF", 52m, 52m);
        time.Advance(TimeSpan.FromSeconds(10));
        var midnight = time.GetUtcNow();
        var storage = cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);
        await Eventually.WaitAsync(() => StoredDaysAsync(storage), d => d == 1, "the closed day stored by the save tick",
            tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromHours(1));
        var queriedAt = time.GetUtcNow();

        await Market.QuoteAsync(cluster, "SPF", 52m, 52m);
        var performance = (await strategy.GetPerformanceAsync(null, null))!;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], performance.Days.Select(d => d.Date));
        var first = performance.Days[0];
        Assert.True(first.Closed);
        Assert.Equal((20m, 0m, 0m, 1L), (first.Pnl, first.RealizedPnl, first.Fees, first.Fills));
        Assert.Equal(first.EndedAt, performance.Days[1].StartedAt);
        Assert.InRange(first.EndedAt, midnight, queriedAt - TimeSpan.FromMinutes(30));
        Assert.Equal((0m, 0L, false), (performance.Days[1].Pnl, performance.Days[1].Fills, performance.Days[1].Closed));
        Assert.Equal((2, 20m, 1, 0, new DateOnly(2026, 3, 2)), (performance.Summary.Days, performance.Summary.Pnl, performance.Summary.WinningDays, performance.Summary.LosingDays, performance.Summary.BestDay));
        Assert.Single((await strategy.GetPerformanceAsync(new DateOnly(2026, 3, 3), null))!.Days);

        // Deleted and created again under the same id: no days of the one before.
        Assert.True((await strategy.DeleteAsync()).Succeeded);
        Assert.Null(await strategy.GetPerformanceAsync(null, null));
        await CreateAsync(strategy);
        var fresh = (await strategy.GetPerformanceAsync(null, null))!;
        Assert.Equal(new DateOnly(2026, 3, 3), Assert.Single(fresh.Days).Date);
    }

    // A strategy the query wakes (idle, or after a restart) values today at the symbol's mark now: today's row is there with
    // the open position's P&L, and the summary counts it.
    [Fact]
    public async Task AQueryThatWakesTheStrategy_WithAPositionOpen_ReportsToday()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Noon);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = dir.File("wake.db"),
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(OneBuy.Definition);
                silo.Configure<Accounts.AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromDays(30));
            },
        });
        await TestAccounts.OpenAsync(cluster, "spf", 100_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("spf", "one"));
        await CreateAsync(strategy);
        await Market.QuoteAsync(cluster, "SPF", 50m, 50m);
        await BarAsync(cluster, strategy, time, 50m, 1);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.Positions, p => p.Count == 1 && p[0].Quantity == 10m, "the strategy's own fill");

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "SPF", 55m, 55m);
        var performance = (await cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("spf", "one")).GetPerformanceAsync(null, null))!;

        var today = Assert.Single(performance.Days);
        Assert.Equal((new DateOnly(2026, 3, 2), false), (today.Date, today.Closed));
        Assert.Equal((50m - today.Fees, 1L), (today.Pnl, today.Fills));
        Assert.Equal(today.Pnl, performance.Summary.Pnl);
    }

    // A running strategy's fill made after midnight, before its 5 s save tick has rolled the day (an after-hours fill in the
    // first seconds of the UTC date, or a catch-up after a restart), goes into the day it was made, as an account's does:
    // booked as it came, it went into the day before, and the query that rolled the day then left today without it.
    [Fact]
    public async Task ARunningStrategysFillJustAfterMidnight_BeforeItsSaveTick_GoesIntoTheNewDay()
    {
        // Created at 23:59:52.5: its save ticks fall at 23:59:57.5 and 00:00:02.5, none at midnight itself.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 52, 500, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(OneBuy.Definition);
                silo.Configure<Accounts.AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromDays(30));
            },
        });
        await TestAccounts.OpenAsync(cluster, "spf", 100_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("spf", "one"));
        await CreateAsync(strategy);

        // The last tick of the day runs (a call that is not read-only waits for its turn), then the clock passes midnight.
        time.Advance(TimeSpan.FromSeconds(6.5));
        await strategy.GetTradesAsync(new TradeQuery { Limit = 1 });
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 0, 0, 1, TimeSpan.Zero), time.GetUtcNow());

        await Market.QuoteAsync(cluster, "SPF", 50m, 50m);
        await BarAsync(cluster, strategy, time, 50m, 1);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.Positions, p => p.Count == 1 && p[0].Quantity == 10m, "the strategy's own fill");

        var performance = (await strategy.GetPerformanceAsync(null, null))!;
        Assert.Equal([(new DateOnly(2026, 3, 2), true, 0L), (new DateOnly(2026, 3, 3), false, 1L)], performance.Days.Select(d => (d.Date, d.Closed, d.Fills)));
        Assert.Equal(performance.Days[0].EndedAt, performance.Days[1].StartedAt);
    }

    private static async Task CreateAsync(IStrategyGrain strategy)
    {
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = OneBuy.Definition.Kind, Symbols = ["SPF"], Parameters = new Dictionary<string, string>(), Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
    }

    private static async Task<int> StoredDaysAsync(IGrainStorage storage)
    {
        var record = new GrainState<StrategyDays>(new StrategyDays());
        await storage.ReadStateAsync("days", GrainId.Create(typeof(StrategyGrain).FullName!, StrategyKey.Create("spf", "one")), record);
        return record.State?.Days.Count ?? 0;
    }

    /// <summary>A one-minute bar that ended a minute ago, and the wait until the strategy has seen it.</summary>
    private static async Task BarAsync(TradingCluster cluster, IStrategyGrain strategy, FakeTimeProvider time, decimal close, long barsSeen)
    {
        var start = time.GetUtcNow().AddMinutes(-2);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        var bar = new Bar("SPF", start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
        Assert.Equal(1, (await cluster.Symbol("SPF").IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.BarsSeen, seen => seen >= barsSeen, $"bar {barsSeen}");
    }

    /// <summary>Buys 10 on its first bar, once.</summary>
    private sealed class OneBuy : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "one-buy",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(OneBuyState),
            Create = _ => new OneBuy(),
        };

        private bool _bought;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_bought)
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 10m, Reason = "first bar" });
                _bought = true;
            }
        }

        public override StrategyState GetState() => new OneBuyState { Bought = _bought };

        public override void Restore(StrategyState state) => _bought = ((OneBuyState)state).Bought;
    }

    private sealed record OneBuyState : StrategyState
    {
        public bool Bought { get; init; }
    }
}
