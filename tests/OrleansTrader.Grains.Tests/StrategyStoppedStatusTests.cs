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

    private static decimal Own(StrategyStatus status) => status.Positions.SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;
}
