using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy persists its next client order id after it sends: a silo that died between the account storing an order and
/// the strategy's write leaves the restarted strategy naming its next intent as that order. The account answers the repeat
/// with the earlier order; the strategy takes it as its own earlier order and sends its intent under the next id.
/// </summary>
public sealed class StrategySequenceTests
{
    private const string Symbol = "SSQ";
    private readonly DateTimeOffset _firstBar = StartOfMinute(TimeProvider.System.GetUtcNow().AddHours(-2));

    [Fact]
    public async Task AnIntentUnderTheIdOfAnEarlierDifferentOrder_IsSentUnderTheNextId_AndTheEarlierOrderIsTrackedAsTheStrategys()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(FlatBuyer.Definition);
            },
        });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "ssq", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("ssq", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = FlatBuyer.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = true })).Succeeded);

        // The order the strategy's earlier incarnation placed as "s-1" before its write was lost: a limit buy that rests.
        var earlier = await account.PlaceOrderAsync(Market.Limit("s-1", Symbol, OrderSide.Buy, 3m, 46m) with { Origin = "strategy:s" });
        Assert.Null(earlier.Denial);
        Assert.False(earlier.IsExisting);

        // The strategy, still at sequence 1, asks for a market buy of 1 on its bar.
        var bar = new Bar(Symbol, _firstBar, TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.BarsSeen, n => n > 0, "the strategy to take the bar");

        // Its intent went to the account under the next id and filled; the earlier order is untouched.
        var sent = await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("s-2"), o => o is { Status: OrderStatus.Filled }, "the intent to be placed as s-2 and fill");
        Assert.Equal(OrderType.Market, sent!.Type);
        Assert.Equal(1m, sent.Quantity);
        var kept = (await account.GetOrderByClientOrderIdAsync("s-1"))!;
        Assert.Equal(OrderType.Limit, kept.Type);
        Assert.False(kept.Status.IsFinal());
        var status = await Eventually.WaitAsync(strategy.GetStatusAsync, s => s!.Positions.Any(p => p.Symbol == Symbol && p.Quantity == 1m), "the strategy's position to take the fill");
        Assert.Equal(1, status!.IntentsSent);

        // Its open orders are the account's: the earlier limit buy, not a market buy that was never placed.
        var id = GrainId.Create(typeof(StrategyGrain).FullName!, StrategyKey.Create("ssq", "s"));
        var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
        await storage.ReadStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        var open = Assert.Single(stored.State.OpenOrders, o => o.ClientOrderId == "s-1");
        Assert.Equal(("s-1", OrderType.Limit, 3m, (decimal?)46m), (open.ClientOrderId, open.Type, open.Quantity, open.LimitPrice));
        Assert.Equal(3, stored.State.NextSequence);
    }

    [Fact]
    public async Task AnIntentFromOnStart_AfterACrashLostTheWriteOfTheNextSequence_IsPlacedUnderAnIdPastTheEarlierRunsOrders()
    {
        await using var cluster = await StartBuyerClusterAsync();
        var account = await TestAccounts.OpenAsync(cluster, "sso", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = await CreateStoppedStartBuyerAsync(cluster, "sso");

        // The earlier run's "s-1", placed and canceled after the strategy's last write of its next sequence (still 1).
        var earlier = await account.PlaceOrderAsync(Market.Limit("s-1", Symbol, OrderSide.Buy, 3m, 46m) with { Origin = "strategy:s" });
        Assert.Null(earlier.Denial);
        Assert.True((await account.CancelOrderAsync(earlier.Order!.OrderId)).Succeeded);

        // Started again, the strategy is flat with no order open and buys on start: under s-2, not as the canceled s-1.
        Assert.True((await strategy.StartAsync()).Succeeded);
        Assert.Equal(1, (await strategy.GetStatusAsync())!.IntentsSent);
        var sent = await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("s-2"), o => o is { Status: OrderStatus.Filled }, "the start's buy to be placed as s-2 and fill");
        Assert.Equal((OrderType.Market, 1m), (sent!.Type, sent.Quantity));
        var kept = (await account.GetOrderByClientOrderIdAsync("s-1"))!;
        Assert.Equal((OrderType.Limit, OrderStatus.Canceled), (kept.Type, kept.Status));
        Assert.Equal(2, (await account.GetOrdersAsync(OrderStatusFilter.All, 10, null)).Count);
        await Eventually.WaitAsync(strategy.GetStatusAsync, s => s!.Positions.Any(p => p.Symbol == Symbol && p.Quantity == 1m), "the strategy's position to take the fill");
    }

    [Fact]
    public async Task AWorkingOrderOfTheEarlierRun_IsOpenForOnStart_WhichAsksForNoSecondOrder()
    {
        await using var cluster = await StartBuyerClusterAsync();
        var account = await TestAccounts.OpenAsync(cluster, "ssw", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = await CreateStoppedStartBuyerAsync(cluster, "ssw");

        // The earlier run's "s-1", a limit buy that rests, placed after the strategy's last write of its next sequence.
        Assert.Null((await account.PlaceOrderAsync(Market.Limit("s-1", Symbol, OrderSide.Buy, 3m, 46m) with { Origin = "strategy:s" })).Denial);

        // Started again, the strategy sees its working buy: no market buy beside it, and its next id is past s-1.
        Assert.True((await strategy.StartAsync()).Succeeded);
        Assert.Equal(0, (await strategy.GetStatusAsync())!.IntentsSent);
        Assert.Equal(["s-1"], (await account.GetOrdersAsync(OrderStatusFilter.All, 10, null)).Select(o => o.ClientOrderId));

        // Stopped and started again, it still holds that order as open (saved with its open orders).
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await strategy.StartAsync()).Succeeded);
        Assert.Equal(["s-1"], (await account.GetOrdersAsync(OrderStatusFilter.All, 10, null)).Select(o => o.ClientOrderId));
    }

    [Fact]
    public async Task AFilledOrderOfTheEarlierRun_IsTheStartsPosition_AndIsNotBoughtAgain()
    {
        await using var cluster = await StartBuyerClusterAsync();
        var account = await TestAccounts.OpenAsync(cluster, "ssf", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = await CreateStoppedStartBuyerAsync(cluster, "ssf");

        // The earlier run's start bought as "s-1" and filled; the strategy's write of its next sequence was lost.
        Assert.Null((await account.PlaceOrderAsync(Market.MarketOrder("s-1", Symbol, OrderSide.Buy, 1m) with { Origin = "strategy:s" })).Denial);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("s-1"), o => o is { Status: OrderStatus.Filled }, "the earlier buy to fill");

        // Started again, the strategy holds that buy's share: it asks for none more.
        Assert.True((await strategy.StartAsync()).Succeeded);
        var status = (await strategy.GetStatusAsync())!;
        Assert.Equal(1m, Assert.Single(status.Positions, p => p.Symbol == Symbol).Quantity);
        Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.All, 10, null));
    }

    [Fact]
    public async Task AStartWhoseOnStartThrew_KeepsTheEarlierRunsWorkingOrderItCaughtUpOn_SoTheNextStartAsksForNoSecondOrder()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(ThrowOnceBuyer.Definition) });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "sst", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("sst", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = ThrowOnceBuyer.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = false })).Succeeded);

        // The earlier run's "s-1", a limit buy that rests, placed after the strategy's last write of its next sequence.
        Assert.Null((await account.PlaceOrderAsync(Market.Limit("s-1", Symbol, OrderSide.Buy, 3m, 46m) with { Origin = "strategy:s" })).Denial);

        // The first start caught up on that order, then its OnStart threw: stopped with the reason.
        var failed = (await strategy.StartAsync()).Status!;
        Assert.False(failed.Running);
        Assert.Contains("failed to start", failed.LastError, StringComparison.Ordinal);

        // Started again, it still sees its working buy (its catch-up does not come again): no market buy beside it.
        Assert.True((await strategy.StartAsync()).Status!.Running);
        Assert.Equal(0, (await strategy.GetStatusAsync())!.IntentsSent);
        Assert.Equal(["s-1"], (await account.GetOrdersAsync(OrderStatusFilter.All, 10, null)).Select(o => o.ClientOrderId));
    }

    private static async Task<TradingCluster> StartBuyerClusterAsync()
    {
        var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(StartBuyer.Definition) });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        return cluster;
    }

    /// <summary>Created stopped, so its start (the same one an activation after a crash runs) comes after the test's orders.</summary>
    private static async Task<IStrategyGrain> CreateStoppedStartBuyerAsync(TradingCluster cluster, string accountId)
    {
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = StartBuyer.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = false })).Succeeded);
        return strategy;
    }

    private static DateTimeOffset StartOfMinute(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    /// <summary>Buys one share at market on a bar while it holds none and has no order open.</summary>
    private sealed class FlatBuyer : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "flat-buyer",
            ParameterNames = [],
            StateType = typeof(FlatBuyerState),
            Create = _ => new FlatBuyer(),
        };

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (Context.GetPosition(bar.Symbol).Quantity == 0m && !Context.HasOpenOrder(bar.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "flat" });
            }
        }

        public override StrategyState GetState() => new FlatBuyerState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record FlatBuyerState : StrategyState;

    /// <summary>Buys one share at market when it starts holding none and with no order open.</summary>
    private sealed class StartBuyer : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "start-buyer",
            ParameterNames = [],
            StateType = typeof(FlatBuyerState),
            Create = _ => new StartBuyer(),
        };

        public override string Kind => Definition.Kind;

        public override StrategyState GetState() => new FlatBuyerState();

        public override void Restore(StrategyState state)
        {
        }

        protected override void OnStarted()
        {
            var symbol = Context.Symbols[0];
            if (Context.GetPosition(symbol).Quantity == 0m && !Context.HasOpenOrder(symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "start" });
            }
        }
    }

    /// <summary>A <see cref="StartBuyer"/> whose first OnStart in a silo throws (a start that fails once).</summary>
    private sealed class ThrowOnceBuyer : StrategyBase
    {
        private static int s_starts;

        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "throw-once-buyer",
            ParameterNames = [],
            StateType = typeof(FlatBuyerState),
            Create = _ => new ThrowOnceBuyer(),
        };

        public override string Kind => Definition.Kind;

        public override StrategyState GetState() => new FlatBuyerState();

        public override void Restore(StrategyState state)
        {
        }

        protected override void OnStarted()
        {
            if (Interlocked.Increment(ref s_starts) == 1)
            {
                throw new InvalidOperationException("not ready yet");
            }

            var symbol = Context.Symbols[0];
            if (Context.GetPosition(symbol).Quantity == 0m && !Context.HasOpenOrder(symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "start" });
            }
        }
    }
}
