using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>A strategy cancels its own resting order: the account cancels it, and the strategy hears it is no longer open.</summary>
public sealed class StrategyCancelTests
{
    [Fact]
    public async Task AStrategysCancel_ReachesTheAccount_AndComesBackAsCanceled()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(RestThenCancel.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "cancels", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("cancels", "rest"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestThenCancel.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        // First bar: a buy limit at 39 rests at the venue.
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start);
        var resting = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting order");
        Assert.Equal((OrderType.Limit, 39m, "strategy:rest"), (resting[0].Type, resting[0].LimitPrice, resting[0].Origin));

        // Second bar: the strategy cancels it.
        await BarAsync(cluster, start.AddMinutes(1));
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting[0].OrderId), o => o!.Status == OrderStatus.Canceled, "the cancel at the account");
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.IntentsSent, sent => sent == 1, "one order only");
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    [Fact]
    public async Task AnOrderCanceledBeforeItWasSent_NeverReachesTheAccount_AndTheStrategyHearsItCanceled()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(SubmitAndCancel.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "withdrawn", 100_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("withdrawn", "sac"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = SubmitAndCancel.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        await BarAsync(cluster, new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero));

        // The reply to the Canceled update (a market buy) goes out in the same turn, and fills.
        var orders = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.All, 10, null), o => o.Count == 1 && o[0].Status == OrderStatus.Filled, "the reply's fill");
        Assert.Equal(OrderType.Market, orders[0].Type);
        var status = (await strategy.GetStatusAsync())!;
        Assert.Equal((1L, 0L), (status.IntentsSent, status.IntentsDenied));
    }

    [Fact]
    public async Task AnOrderCanceledWhileTheStrategyWasStopped_WhoseEventsWerePruned_IsNoLongerItsOpenOrderWhenItStartsAgain()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(RestWhenFree.Definition);
                silo.Configure<AccountGrainOptions>(o => (o.HistoryPageSize, o.HistoryPages, o.HistoryPagesInMemory) = (8, 1, 1));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "pruned", 1_000_000m);
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        await Market.QuoteAsync(cluster, "OTH", 10m, 10m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("pruned", "free"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = RestWhenFree.Definition.Kind, Symbols = ["SCN"], Start = true })).Succeeded);
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start);
        var resting = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting order"))[0];

        // Stopped, the user cancels its order, and the account's later trading prunes the events that said so.
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await account.CancelOrderAsync(resting.OrderId)).Succeeded);
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Canceled, "the cancel");
        for (var i = 0; i < 10; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.MarketOrder($"other-{i}", "OTH", OrderSide.Buy, 1m));
            await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.Status == OrderStatus.Filled, "a fill");
        }

        Assert.True((await account.GetEventsAsync(0, 10)).Truncated);

        // Started again, it knows the order is gone and rests a new one on its next bar.
        Assert.True((await strategy.StartAsync()).Status!.Running);
        await BarAsync(cluster, start.AddMinutes(1));
        var open = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "a new resting order");
        Assert.Equal("free-2", open[0].ClientOrderId);
    }

    private static async Task BarAsync(TradingCluster cluster, DateTimeOffset start)
    {
        var bar = new Bar("SCN", start, TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 1_000m);
        Assert.Equal(1, (await cluster.Symbol("SCN").IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
    }

    /// <summary>Places a buy limit a dollar under the first bar's close, and cancels it on the next bar.</summary>
    private sealed class RestThenCancel : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "rest-then-cancel",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestThenCancelState),
            Create = _ => new RestThenCancel(),
        };

        private string? _order;
        private int _bars;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (++_bars == 1)
            {
                _order = Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "rest",
                }).ClientOrderId;
            }
            else if (_bars == 2 && _order is not null)
            {
                Context.CancelOrder(_order);
            }
        }

        public override StrategyState GetState() => new RestThenCancelState { Order = _order, Bars = _bars };

        public override void Restore(StrategyState state)
        {
            var restored = (RestThenCancelState)state;
            (_order, _bars) = (restored.Order, restored.Bars);
        }
    }

    private sealed record RestThenCancelState : StrategyState
    {
        public string? Order { get; init; }

        public int Bars { get; init; }
    }

    /// <summary>Rests a buy limit a dollar under the bar's close on every bar it has no open order.</summary>
    private sealed class RestWhenFree : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "rest-when-free",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestThenCancelState),
            Create = _ => new RestWhenFree(),
        };

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!Context.HasOpenOrder(bar.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "rest",
                });
            }
        }

        public override StrategyState GetState() => new RestThenCancelState();

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>On its first bar, submits a buy limit and cancels it at once; when told it is canceled, buys at market.</summary>
    private sealed class SubmitAndCancel : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "submit-and-cancel",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(RestThenCancelState),
            Create = _ => new SubmitAndCancel(),
        };

        private string? _order;

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (_order is null)
            {
                _order = Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "withdrawn at once",
                }).ClientOrderId;
                Context.CancelOrder(_order);
            }
        }

        public override void OnOrderUpdate(StrategyOrderUpdate update)
        {
            if (update.ClientOrderId == _order && update.Status == OrderStatus.Canceled)
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = "SCN", Side = OrderSide.Buy, Quantity = 1m, Reason = "after the cancel" });
            }
        }

        public override StrategyState GetState() => new RestThenCancelState { Order = _order };

        public override void Restore(StrategyState state) => _order = ((RestThenCancelState)state).Order;
    }
}
