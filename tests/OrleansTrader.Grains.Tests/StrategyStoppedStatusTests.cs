using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A stopped strategy's status, performance and trades show the fills its resting orders took while it was stopped
/// (docs/strategies.md), without the strategy being told of them or sending anything; started again, it is told of each
/// once and its position does not count them twice. On SQLite storage and a fake clock, across a restart of the silo.
/// </summary>
public sealed class StrategyStoppedStatusTests : IDisposable
{
    private const string Symbol = "SWO";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AFillWhileStopped_IsInTheStoppedStrategysStatus_AndCountedOnceWhenItStartsAgain()
    {
        await using var run = await StrategyWorkingOrdersTests.Run.StartAsync(_dir.File("stopped.db"), "sss");
        await run.CreateAsync("stopped-bid", start: true);
        await run.BarAsync(50m);
        var bid = Assert.Single(await run.WorkingAsync("stopped-bid"));
        Assert.Equal(49m, bid.LimitPrice);
        var strategy = run.Strategy("stopped-bid");

        // Stopped, its bid keeps working and fills.
        var stopped = (await strategy.StopAsync()).Status!;
        Assert.Equal(0m, Own(stopped));
        await run.TouchAsync(49m);
        await run.ExpectFilledAsync(bid.OrderId);

        // The status shows the position the strategy now holds, and its fee; the strategy itself is told nothing and sends nothing.
        var status = (await strategy.GetStatusAsync())!;
        Assert.False(status.Running);
        Assert.Equal(5m, Own(status));
        Assert.Equal(49m, status.Positions.Single(p => p.Symbol == Symbol).AverageEntryPrice);
        var fill = Assert.Single(await run.Account.GetFillsAsync(0, 10));
        Assert.Equal(fill.Fee, status.FeesPaid);
        Assert.Equal(stopped.IntentsSent, status.IntentsSent);
        Assert.False(StrategyWorkingOrdersTests.RestingBidder.Told.ContainsKey("stopped-bid"));
        Assert.Equal(1, (await strategy.GetPerformanceAsync(null, null))!.Summary.Fills);
        Assert.Equal(5m, Assert.Single((await strategy.GetTradesAsync(new TradeQuery { Limit = 10 }))!.Open).Quantity);

        // A bar while stopped asks for nothing.
        await run.BarAsync(50m);
        Assert.Empty(await run.WorkingAsync("stopped-bid"));

        // Across a restart, then started: told of the fill once, the position still 5 (not counted again), and one fill.
        await run.RestartAsync(kill: false);
        strategy = run.Strategy("stopped-bid");
        Assert.Equal(5m, Own((await strategy.GetStatusAsync())!));
        Assert.True((await strategy.StartAsync()).Succeeded);
        await run.ExpectPositionAsync("stopped-bid", 5m, told: 1);
        Assert.Equal(1, (await strategy.GetPerformanceAsync(null, null))!.Summary.Fills);
        Assert.Equal(5m, Assert.Single((await strategy.GetTradesAsync(new TradeQuery { Limit = 10 }))!.Open).Quantity);

        // Running again, it rests its next bid on the next bar.
        await run.BarAsync(50m);
        Assert.Single(await run.WorkingAsync("stopped-bid"));
    }

    [Fact]
    public async Task AReplacementTheUserNamedWhileItWasStopped_FillsIntoItsPositionWhenItStartsAgain()
    {
        await using var run = await StrategyWorkingOrdersTests.Run.StartAsync(_dir.File("renamed.db"), "ssr");
        await run.CreateAsync("renamed-bid", start: true);
        await run.BarAsync(50m);
        var bid = Assert.Single(await run.WorkingAsync("renamed-bid"));
        Assert.True((await run.Strategy("renamed-bid").StopAsync()).Succeeded);

        // Moved by hand under a client order id of the user's own, then filled, both while the strategy is stopped: the
        // booking does not know the replacement as the strategy's, and books the events past it all the same.
        var replaced = await run.Account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = bid.OrderId,
            Replacement = new OrderReplacement { LimitPrice = 49.5m, ClientOrderId = "moved-while-stopped" },
        });
        Assert.True(replaced.Denial is null, replaced.Denial?.Message);
        await run.QuietAsync();
        var moved = Assert.Single(await run.WorkingAsync("renamed-bid"));
        await run.TouchAsync(49.5m);
        await run.ExpectFilledAsync(moved.OrderId);
        await run.Strategy("renamed-bid").GetTradesAsync(new TradeQuery { Limit = 1 });

        // Started, the catch-up knows it by the order it replaced: its fill is the strategy's position, told once.
        Assert.True((await run.Strategy("renamed-bid").StartAsync()).Succeeded);
        await run.ExpectPositionAsync("renamed-bid", 5m, told: 1);
    }

    // Idle (its grain deactivated by a restart, so no save tick books anything) while its bid fills 2 before midnight and 3
    // after: the query that wakes it books each fill into the day it was made, closing the day between the two. Booked as
    // found, both went into the day before.
    [Fact]
    public async Task AStoppedStrategyIdlePastMidnight_BooksEachFillIntoTheDayItWasMade()
    {
        await using var run = await StrategyWorkingOrdersTests.Run.StartAsync(_dir.File("midnight.db"), "ssm");
        var bid = await RestAndStopAsync(run, "night-bid");
        var dayOne = DateOnly.FromDateTime(run.Time.GetUtcNow().UtcDateTime);
        run.Time.Advance(EndOf(run.Time.GetUtcNow()) - TimeSpan.FromMinutes(1) - run.Time.GetUtcNow());
        await run.RestartAsync(kill: false);

        await FillAsync(run, bid, 2m, fills: 1);
        run.Time.Advance(TimeSpan.FromMinutes(2));
        await FillAsync(run, bid, 3m, fills: 2);
        await run.ExpectFilledAsync(bid.OrderId);
        var made = await run.Account.GetFillsAsync(0, 10);
        Assert.True(DateOnly.FromDateTime(made[0].Timestamp.UtcDateTime) == dayOne && DateOnly.FromDateTime(made[1].Timestamp.UtcDateTime) == dayOne.AddDays(1),
            $"the fills straddle midnight: {made[0].Timestamp:O}, {made[1].Timestamp:O}");

        // The status query comes first: read-only, it shows both fills and books neither.
        var strategy = run.Strategy("night-bid");
        Assert.Equal(5m, Own((await strategy.GetStatusAsync())!));

        // A second on, or it is the touch's own last quote again (the clock moves only while a fill is awaited) and the
        // symbol refuses it as a duplicate.
        run.Time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(run.Cluster, Symbol, 49.99m, 50.01m);
        var performance = (await strategy.GetPerformanceAsync(null, null))!;

        Assert.Equal([(dayOne, true, 1L, made[0].Fee), (dayOne.AddDays(1), false, 1L, made[1].Fee)],
            performance.Days.Select(d => (d.Date, d.Closed, d.Fills, d.Fees)));
        Assert.Equal(performance.Days[0].EndedAt, performance.Days[1].StartedAt);
        Assert.Equal((2L, 5m * (50m - 49m) - made.Sum(f => f.Fee)), (performance.Summary.Fills, performance.Summary.Pnl));
    }

    // Asleep for days, its bid filling on the first and the second: started on the fourth, the start's catch-up books
    // each fill into its own day, and a day it slept through without a fill has no row of its own (as an account that was
    // not active spans it with the row before).
    [Fact]
    public async Task AStoppedStrategyStartedAfterDaysAsleep_BooksEachFillIntoItsDay_AndNoRowForADayWithoutFills()
    {
        await using var run = await StrategyWorkingOrdersTests.Run.StartAsync(_dir.File("asleep.db"), "ssa");
        var bid = await RestAndStopAsync(run, "sleepy-bid");
        var dayOne = DateOnly.FromDateTime(run.Time.GetUtcNow().UtcDateTime);
        await run.RestartAsync(kill: false);

        await FillAsync(run, bid, 2m, fills: 1);
        run.Time.Advance(EndOf(run.Time.GetUtcNow()) + TimeSpan.FromHours(12) - run.Time.GetUtcNow());
        await FillAsync(run, bid, 3m, fills: 2);
        await run.ExpectFilledAsync(bid.OrderId);
        run.Time.Advance(TimeSpan.FromDays(2));
        await Market.QuoteAsync(run.Cluster, Symbol, 49.99m, 50.01m);

        var strategy = run.Strategy("sleepy-bid");
        Assert.True((await strategy.StartAsync()).Succeeded);
        await run.ExpectPositionAsync("sleepy-bid", 5m, told: 2);
        var performance = (await strategy.GetPerformanceAsync(null, null))!;

        Assert.Equal([(dayOne, 1L), (dayOne.AddDays(1), 1L), (dayOne.AddDays(3), 0L)], performance.Days.Select(d => (d.Date, d.Fills)));
        Assert.Equal(2L, performance.Summary.Fills);
    }

    /// <summary>Created and run until its bid of 5 at 49 rests, then stopped; returns the bid.</summary>
    private static async Task<AccountOrder> RestAndStopAsync(StrategyWorkingOrdersTests.Run run, string id)
    {
        await run.CreateAsync(id, start: true);
        await run.BarAsync(50m);
        var bid = Assert.Single(await run.WorkingAsync(id));
        Assert.True((await run.Strategy(id).StopAsync()).Succeeded);
        return bid;
    }

    /// <summary>Touches the bid with <paramref name="size"/> shares offered, and waits until the account has booked the fill.</summary>
    private static async Task FillAsync(StrategyWorkingOrdersTests.Run run, AccountOrder bid, decimal size, int fills)
    {
        await run.TouchAsync(bid.LimitPrice!.Value, size);
        await Eventually.WaitAsync(() => run.Account.GetFillsAsync(0, 10), f => f.Count == fills, $"fill {fills} of the bid",
            tick: () => run.Time.Advance(TimeSpan.FromMilliseconds(50)));
    }

    private static DateTimeOffset EndOf(DateTimeOffset at) => new(at.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

    private static decimal Own(StrategyStatus status) => status.Positions.SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;
}
