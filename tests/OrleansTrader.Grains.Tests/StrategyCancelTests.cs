using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

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

    /// <summary>
    /// The strategy's cancel of its resting entry, whose call to the account fails (a timeout): the strategy is not told,
    /// and one that asks once believed the order withdrawn while it rested on. The host asks for it again a minute later
    /// in the strategy's time (the <see cref="ProtectiveStop"/>'s schedule), and the order ends canceled.
    /// </summary>
    [Fact]
    public async Task ACancelWhoseAccountCallFailed_IsAskedForAgainAMinuteLater_AndTheOrderEndsCanceled()
    {
        var cancels = new FailingCancels { FailNext = true };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(RestThenCancel.Definition);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(cancels);
            },
        });
        var (account, strategy, resting, start) = await RestAsync(cluster, "cancel-failed");

        // Second bar: the strategy cancels it, and the account's call times out; the order rests on.
        await BarAsync(cluster, start.AddMinutes(1));
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.LastError is not null, "the failed cancel");
        Assert.Equal((1, OrderStatus.Accepted), (cancels.Calls, (await account.GetOrderAsync(resting.OrderId))!.Status));

        // A bar a minute later: the strategy asks nothing, and the host asks for the cancel again.
        await BarAsync(cluster, start.AddMinutes(2));
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Canceled, "the cancel asked for again");
        Assert.Equal(2, cancels.Calls);
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    /// <summary>As above, with the venue refusing the cancel once (the account answers the order working again).</summary>
    [Fact]
    public async Task ACancelTheVenueRefused_IsAskedForAgainAMinuteLater_AndTheOrderEndsCanceled()
    {
        var cancels = new StrategyProtectiveStopTests.RefusingCancels();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(RestThenCancel.Definition);
                silo.Services.AddSingleton<IBrokerClientFactory>(sp => new WrappingBrokerClientFactory(
                    ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => new StrategyProtectiveStopTests.RefusingCancels.Client(cancels, client)));
            },
        });
        var (account, _, resting, start) = await RestAsync(cluster, "cancel-refused");

        cancels.Refuse = true;
        await BarAsync(cluster, start.AddMinutes(1));
        await Eventually.WaitAsync(() => Task.FromResult(cancels.Refused), n => n == 1, "the refused cancel");
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Accepted, "the order working again");
        cancels.Refuse = false;

        await BarAsync(cluster, start.AddMinutes(2));
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Canceled, "the cancel asked for again");
        Assert.Equal((1, 1), (cancels.Refused, cancels.Passed));
    }

    /// <summary>
    /// A cancel the account did not take, across a silo restart before it was asked for again. The host kept it in memory
    /// only: after the restart the order rested on though the strategy had asked to cancel it, and nothing asked again.
    /// </summary>
    [Fact]
    public async Task ACancelWhoseAccountCallFailed_IsAskedForAgainAfterASiloRestart()
    {
        using var dir = new TempDirectory();
        var cancels = new FailingCancels { FailNext = true };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = dir.File("retries.db"),
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(RestThenCancel.Definition);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(cancels);
            },
        });
        var (account, strategy, resting, start) = await RestAsync(cluster, "cancel-restart");
        await BarAsync(cluster, start.AddMinutes(1));
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.LastError is not null, "the failed cancel");

        // The silo restarts before the cancel is asked for again; the strategy comes back and the order still rests.
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("cancel-restart", "rest"));
        account = cluster.Account("cancel-restart");
        Assert.True((await strategy.GetStatusAsync())!.Running);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(resting.OrderId))!.Status);

        // A bar a minute after the failed ask: the restarted host asks for the cancel again.
        await BarAsync(cluster, start.AddMinutes(2));
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.BarsSeen == 3, "the bar after the restart");
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Canceled,
            "the cancel asked for again after the restart");
        Assert.Equal(2, cancels.Calls);
    }

    /// <summary>
    /// A cancel the account did not take, on a symbol that then goes quiet (no bar, no tick: its market closed, its feed
    /// halted). The host asked again only when an event moved the strategy's time, so it never did; the order rested on.
    /// Its save timer now asks again once the wait has passed on the silo's clock.
    /// </summary>
    [Fact]
    public async Task ACancelWhoseAccountCallFailed_IsAskedForAgainOnAQuietSymbol_OnceTheWaitPassesOnTheClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var cancels = new FailingCancels { FailNext = true };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(RestThenCancel.Definition);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(cancels);
            },
        });
        var (account, strategy, resting, start) = await RestAsync(cluster, "cancel-quiet");
        await BarAsync(cluster, start.AddMinutes(1));
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.LastError is not null, "the failed cancel");

        // No more data: 55 seconds on the clock are not the minute's wait, 65 are.
        await PassAsync(time, TimeSpan.FromSeconds(55));
        Assert.Equal((1, OrderStatus.Accepted), (cancels.Calls, (await account.GetOrderAsync(resting.OrderId))!.Status));
        await PassAsync(time, TimeSpan.FromSeconds(10));
        await Eventually.WaitAsync(() => account.GetOrderAsync(resting.OrderId), o => o!.Status == OrderStatus.Canceled,
            "the cancel asked for again with no data");
        Assert.Equal(2, cancels.Calls);
    }

    /// <summary>Moves the clock five seconds at a time (the strategy's save timer), each step's turns given time to run.</summary>
    private static async Task PassAsync(FakeTimeProvider time, TimeSpan duration)
    {
        for (var passed = TimeSpan.Zero; passed < duration; passed += TimeSpan.FromSeconds(5))
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Opens the account and starts a <see cref="RestThenCancel"/>, whose first bar (stamped from the next whole minute:
    /// the strategy's time is its start's, and earlier bars do not move it) rests a buy limit. Returns it and that bar's start.
    /// </summary>
    private static async Task<(IAccountGrain Account, IStrategyGrain Strategy, AccountOrder Resting, DateTimeOffset Start)> RestAsync(TradingCluster cluster, string accountId)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, "SCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "rest"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestThenCancel.Definition.Kind, Symbols = ["SCN"], Parameters = new Dictionary<string, string>(), Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        var start = (cluster.Options.Time ?? TimeProvider.System).GetUtcNow().AddMinutes(1);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start);
        var resting = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting order");
        return (account, strategy, resting[0], start);
    }

    /// <summary>Fails the next call of the account's CancelOrderAsync, as one that timed out; counts the calls.</summary>
    internal sealed class FailingCancels : IIncomingGrainCallFilter
    {
        private int _failNext;
        private int _calls;

        public bool FailNext
        {
            get => Volatile.Read(ref _failNext) != 0;
            init => _failNext = value ? 1 : 0;
        }

        public int Calls => Volatile.Read(ref _calls);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is IAccountGrain && context.MethodName == nameof(IAccountGrain.CancelOrderAsync))
            {
                Interlocked.Increment(ref _calls);
                if (Interlocked.Exchange(ref _failNext, 0) != 0)
                {
                    return Task.FromException(new TimeoutException("The account did not answer in time (test)."));
                }
            }

            return context.Invoke();
        }
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
