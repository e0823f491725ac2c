using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy's position closed through the account (close-all, docs/api.md): the strategy still counts it from its own
/// fills, so its exit is a sell of shares the account no longer holds, refused SHORTING_NOT_ALLOWED in a cash account.
/// Seen on a real silo: a strategy that asks for its exit on every event sent 57 such sells in a few minutes, each one
/// journaled, persisted and logged by the account.
/// </summary>
public sealed class StrategyClosedPositionTests
{
    [Fact]
    public async Task AnExitRefusedAsAShort_IsNotSentAgainOnEveryTick()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(ExitChaser.Definition) });
        var account = await TestAccounts.OpenAsync(cluster, "closed", 1_000_000m);

        // A trade under 50 buys 10; the account then closes the position behind the strategy's back.
        var strategy = await BuyThenCloseBehindTheStrategyAsync(cluster, account, "closed");

        // Every trade over 60 asks for the exit; the account refuses the first as a short, the rest are held back here.
        await Market.QuoteAsync(cluster, "EXC", 60.9m, 61m);
        const int Trades = 40;
        for (var i = 0; i < Trades; i++)
        {
            await Market.TradeAsync(cluster, "EXC", 61m + (i * 0.01m));
        }

        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= Trades,
            "every exit to be refused", TimeSpan.FromSeconds(30));
        Assert.Equal(Trades, status.IntentsDenied);
        var refused = Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null), o => o.Status == OrderStatus.Denied);
        Assert.Equal(OrderSide.Sell, refused.Side);
        Assert.StartsWith("This sell would open a short", refused.StatusReason, StringComparison.Ordinal);
        Assert.True(status.Running);
    }

    /// <summary>
    /// The hold lasts its minute of elapsed time. Judged on the wall clock, a clock set back an hour (an operator's mistake,
    /// NTP stepping a clock that ran fast) held the strategy's sells in the symbol an hour and a minute, and one stepped
    /// forward ended the hold at once.
    /// </summary>
    [Fact]
    public async Task AnExitRefusedAsAShort_IsSentAgainAfterTheHoldsMinute_WhenTheWallClockIsSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = clock,
            ConfigureSilo = silo => silo.Services.AddStrategy(ExitChaser.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "closed-step", 1_000_000m);
        var strategy = await BuyThenCloseBehindTheStrategyAsync(cluster, account, "closed-step");

        await Market.QuoteAsync(cluster, "EXC", 60.9m, 61m);
        await Market.TradeAsync(cluster, "EXC", 61m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied == 1, "the first exit to be refused");

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(61));
        await Market.QuoteAsync(cluster, "EXC", 60.9m, 61m);
        await Market.TradeAsync(cluster, "EXC", 61.01m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied == 2, "the second exit to be refused");

        var refused = (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Where(o => o.Status == OrderStatus.Denied).ToList();
        Assert.True(refused.Count == 2, $"{refused.Count} sells reached the account: the second was held by the strategy");
        Assert.All(refused, o => Assert.StartsWith("This sell would open a short", o.StatusReason, StringComparison.Ordinal));
    }

    private static async Task<IStrategyGrain> BuyThenCloseBehindTheStrategyAsync(TradingCluster cluster, IAccountGrain account, string accountId)
    {
        await Market.QuoteAsync(cluster, "EXC", 48.9m, 49m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "chaser"));
        var created = await strategy.CreateAsync(new CreateStrategy { Kind = ExitChaser.Definition.Kind, Symbols = ["EXC"], Start = true });
        Assert.True(created.Succeeded, created.Message);
        await Market.TradeAsync(cluster, "EXC", 49m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.Positions.Sum(p => p.Quantity) == 10m,
            "the strategy's buy to fill", TimeSpan.FromSeconds(30));
        var closed = Assert.Single(await account.CloseAllPositionsAsync(cancelOrders: true));
        Assert.True(closed.Result.Succeeded, closed.Result.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "the account to be flat",
            TimeSpan.FromSeconds(30));
        return strategy;
    }

    /// <summary>Buys 10 on a trade under 50 when flat; sells its whole position on every trade over 60.</summary>
    private sealed class ExitChaser : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "exit-chaser",
            StateType = typeof(ExitChaserState),
            Create = _ => new ExitChaser(),
        };

        public override string Kind => Definition.Kind;

        public override void OnTrade(TradeTick trade)
        {
            var position = Context.GetPosition(trade.Symbol).Quantity;
            if (Context.HasOpenOrder(trade.Symbol))
            {
                return;
            }

            if (position == 0m && trade.Price < 50m)
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = trade.Symbol, Side = OrderSide.Buy, Quantity = 10m, Reason = "cheap" });
            }
            else if (position > 0m && trade.Price > 60m)
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = trade.Symbol, Side = OrderSide.Sell, Quantity = position, Reason = "dear" });
            }
        }

        public override StrategyState GetState() => new ExitChaserState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record ExitChaserState : StrategyState;
}
