using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>A stopped strategy catches up on what its orders did when it starts again; a minute of trades and the feed's bar for it publish one bar.</summary>
public sealed class StrategyAndSymbolEdgeCaseTests
{
    [Fact]
    public async Task AFillOfTheStrategysRestingOrder_WhileItWasStopped_IsItsPosition_AfterItStartsAgain()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(RestOnce.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "stopfill", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("stopfill", "rest"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestOnce.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        })).Succeeded);

        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        var bar = new Bar("SCN", start, TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 1_000m);
        Assert.Equal(1, (await cluster.Symbol("SCN").IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting GTC buy limit");

        // The strategy is stopped; its GTC order keeps working at the venue and fills.
        Assert.True((await strategy.StopAsync()).Succeeded);
        await Market.QuoteAsync(cluster, "SCN", 38m, 38m);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Any(x => x.Symbol == "SCN" && x.Quantity == 5m), "the fill at the account");

        // Started again: the strategy's own position must be the fill of its own order, and the order no longer open.
        Assert.True((await strategy.StartAsync()).Succeeded);
        var status = (await strategy.GetStatusAsync())!;
        Assert.Equal(5m, status.Positions.SingleOrDefault(p => p.Symbol == "SCN")?.Quantity ?? 0m);
    }

    [Fact]
    public async Task AMinuteOfTradesAndTheFeedsBarForThatMinute_PublishOneMinuteBar()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("DUP");

        // A feed with trades and bars (Alpaca's default): the trades of a minute, the feed's bar of that minute, the next minute's first trade.
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("DUP", t0.AddSeconds(10), 40m, 100m), new TradeTick("DUP", t0.AddSeconds(50), 40.5m, 100m)],
        })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch
        {
            Bars = [new Bar("DUP", t0, TimeSpan.FromMinutes(1), 40m, 40.5m, 40m, 40.5m, 200m, 2)],
        })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("DUP", t0.AddSeconds(70), 41m, 100m)] })).Accepted);

        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([t0], bars.Select(b => b.Start));
        Assert.Equal(1, (await symbol.GetStatsAsync()).BarsPublished);
    }

    [Fact]
    public async Task TwoStrategiesWhoseIdsShareAPrefix_EachTakeOnlyTheFillsOfTheirOwnOrders()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(BuyOnce.Definition),
        });
        await TestAccounts.OpenAsync(cluster, "prefix", 100_000m);
        await Market.QuoteAsync(cluster, "SCB", 40m, 40m);
        var first = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("prefix", "mkt"));
        var second = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("prefix", "mkt-b"));
        Assert.True((await first.CreateAsync(new CreateStrategy
        {
            Kind = BuyOnce.Definition.Kind, Symbols = ["SCA"], Parameters = new Dictionary<string, string>(), Start = false,
        })).Succeeded);
        Assert.True((await second.CreateAsync(new CreateStrategy
        {
            Kind = BuyOnce.Definition.Kind, Symbols = ["SCB"], Parameters = new Dictionary<string, string>(), Start = true,
        })).Succeeded);

        // "mkt-b" buys; its client order id "mkt-b-1" starts with "mkt-", the prefix of "mkt"'s own ids.
        await BarAsync(cluster, "SCB", MinuteAgo(10));
        await Eventually.WaitAsync(async () => (await second.GetStatusAsync())!.Positions, p => p.Any(x => x.Symbol == "SCB" && x.Quantity == 5m), "mkt-b's fill");

        // Started, "mkt" catches up on every account event since its creation: none of them is a fill of its orders.
        Assert.True((await first.StartAsync()).Succeeded);
        var status = (await first.GetStatusAsync())!;
        Assert.Empty(status.Positions);
    }

    [Fact]
    public async Task AStrategyCreatedAgainAfterItsDeletion_PlacesNewOrders_NotTheDeletedOnesClientOrderIds()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(BuyOnce.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "again", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("again", "buy"));
        var create = new CreateStrategy { Kind = BuyOnce.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true };
        Assert.True((await strategy.CreateAsync(create)).Succeeded);
        var start = MinuteAgo(10);
        await BarAsync(cluster, "SCN", start);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.Positions, p => p.Any(x => x.Symbol == "SCN" && x.Quantity == 5m), "the first buy");
        Assert.True((await strategy.DeleteAsync()).Succeeded);

        // The same id again: its first order must be a new order, not answered by the deleted strategy's filled "buy-1".
        Assert.True((await strategy.CreateAsync(create)).Succeeded);
        await BarAsync(cluster, "SCN", start.AddMinutes(1));
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.All, 10, null), o => o.Count == 2 && o.All(x => x.Status == OrderStatus.Filled), "a second filled order");
        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.Positions.Count == 1, "the new strategy's fill");
        Assert.Equal(5m, status.Positions[0].Quantity);
    }

    [Fact]
    public async Task AnIntentWhosePlacementThrew_IsAnswered_AndTheIntentsAfterItInTheSameTurnAreStillSent()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(TwoBuys.Definition);
                silo.Configure<AccountGrainOptions>(o => o.SignalInterval = o.ReconcileInterval = TimeSpan.FromDays(30));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "throws", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("throws", "two"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = TwoBuys.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        })).Succeeded);

        // The account's write of the first buy fails: that call throws back to the strategy, in the middle of its dispatch.
        storage.FailNext = true;
        await BarAsync(cluster, "SCN", MinuteAgo(10));

        // Both intents are answered (sent or refused): none is left open forever, never sent, blocking the strategy.
        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsSent + s.IntentsDenied == 2,
            "both intents answered");
        Assert.False(storage.FailNext);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.All, 10, null), o => o.Any(x => x.ClientOrderId == "two-2"), "the second buy at the account");
        Assert.True(status.IntentsSent >= 1);
    }

    [Fact]
    public async Task AnOrderTheUserReplaced_IsStillTheStrategysOpenOrder_SoItDoesNotAskTwice()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(RestWhileNone.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "replaced", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("replaced", "rest"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestWhileNone.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        })).Succeeded);
        var start = MinuteAgo(10);
        await BarAsync(cluster, "SCN", start);
        var resting = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting buy limit"))[0];

        // The user moves the strategy's limit; the replacement ("rest-1-r{orderId}") is the strategy's order, still working.
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = resting.OrderId, Replacement = new OrderReplacement { LimitPrice = 38.5m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);

        // The next bar: the strategy must still see an open order of the symbol and ask for no second buy.
        await BarAsync(cluster, "SCN", start.AddMinutes(1));
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.BarsSeen == 2, "the second bar");
        var open = await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null);
        Assert.Equal([replaced.Order!.OrderId], open.Select(o => o.OrderId));
        Assert.Equal(1, (await strategy.GetStatusAsync())!.IntentsSent);
    }

    [Fact]
    public async Task AnIntentAnsweredWithAnOrderThatHadEnded_AfterACrashLostTheStrategysWrite_IsNotLeftOpenForGood()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(RestWhileNone.Definition);
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "lost", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("lost", "rest"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestWhileNone.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        })).Succeeded);
        var start = MinuteAgo(10);

        // "rest-1" is placed and then canceled, but none of the strategy's writes since its start reaches storage before the crash.
        storage.FailAll = true;
        await BarAsync(cluster, "SCN", start);
        var first = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting buy limit"))[0];
        Assert.Equal("rest-1", first.ClientOrderId);
        Assert.True((await account.CancelOrderAsync(first.OrderId)).Succeeded);
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);
        storage.FailAll = false;
        account = cluster.Account("lost");
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("lost", "rest"));
        Assert.True((await strategy.GetStatusAsync())!.Running);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);

        // Resumed from before "rest-1", the strategy found that order, ended, in the account's history its start replayed: it
        // does not wait on it for good, nor name its next order as it, but rests a new buy under the next id on the next bar.
        await BarAsync(cluster, "SCN", start.AddMinutes(1));
        var open = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "a new resting buy limit");
        Assert.Equal("rest-2", open[0].ClientOrderId);
    }

    private static DateTimeOffset MinuteAgo(int minutes)
    {
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-minutes);
        return new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
    }

    private static async Task BarAsync(TradingCluster cluster, string symbol, DateTimeOffset start)
    {
        var bar = new Bar(symbol, start, TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
    }

    /// <summary>Buys 1 at market twice on its first bar.</summary>
    private sealed class TwoBuys : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "two-buys",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestOnceState),
            Create = _ => new TwoBuys(),
        };

        private bool _sent;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "first" });
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "second" });
            }
        }

        public override StrategyState GetState() => new RestOnceState { Sent = _sent };

        public override void Restore(StrategyState state) => _sent = ((RestOnceState)state).Sent;
    }

    /// <summary>Buys 5 at market on its first bar.</summary>
    private sealed class BuyOnce : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "buy-once",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestOnceState),
            Create = _ => new BuyOnce(),
        };

        private bool _sent;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Reason = "buy once" });
            }
        }

        public override StrategyState GetState() => new RestOnceState { Sent = _sent };

        public override void Restore(StrategyState state) => _sent = ((RestOnceState)state).Sent;
    }

    /// <summary>Rests one GTC buy limit a dollar under the close whenever it is flat with no open order of the symbol.</summary>
    private sealed class RestWhileNone : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "rest-while-none",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestOnceState),
            Create = _ => new RestWhileNone(),
        };

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!Context.HasOpenOrder(bar.Symbol) && Context.GetPosition(bar.Symbol).Quantity == 0m)
            {
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "rest",
                });
            }
        }

        public override StrategyState GetState() => new RestOnceState();

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>Places one GTC buy limit a dollar under its first bar's close.</summary>
    private sealed class RestOnce : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "rest-once",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestOnceState),
            Create = _ => new RestOnce(),
        };

        private bool _sent;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "rest",
                });
            }
        }

        public override StrategyState GetState() => new RestOnceState { Sent = _sent };

        public override void Restore(StrategyState state) => _sent = ((RestOnceState)state).Sent;
    }

    private sealed record RestOnceState : StrategyState
    {
        public bool Sent { get; init; }
    }
}
