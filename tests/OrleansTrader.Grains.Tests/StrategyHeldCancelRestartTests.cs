using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A cancel held while HALTED (of an order that closes the strategy's position) across a silo restart. It was held in
/// memory only: after the restart the take-profit it withdrew stayed resting once the halt lifted, and the exit the
/// strategy sends once the cancel is confirmed never went, since a strategy that asked once does not ask again.
/// </summary>
public sealed class StrategyHeldCancelRestartTests : IDisposable
{
    private const string Symbol = "HCR";
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ACancelHeldWhileHalted_GoesAfterASiloRestart_OnceTheHaltLifts_AndTheExitFollows()
    {
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = _dir.File("held.db"),
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(ExitAfterWithdrawal.Definition);
                silo.Services.AddSingleton<ILoggerProvider>(logs);
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "held-restart", 100_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, Symbol, 40m, 40m);
        var key = StrategyKey.Create("held-restart", "tp");
        var created = await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
        {
            Kind = ExitAfterWithdrawal.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = true,
        });
        Assert.True(created.Status!.Running, created.Status.LastError);

        // The first bar buys 5; once filled, a take-profit sells them at 42 and rests.
        var start = TimeProvider.System.GetUtcNow().AddMinutes(1);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start, 40m);
        var takeProfit = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.Limit, "the resting take-profit"))[0];

        // Halted, and heard at once (a start reads the breakers); the bar at 30 withdraws the take-profit, and the cancel is held.
        var breaker = cluster.Breaker("held-restart");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "halt")).Succeeded);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await strategy.StartAsync()).Status!.Running);
        await BarAsync(cluster, start.AddMinutes(1), 30m);
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.BarsSeen == 2, "the bar that withdraws the take-profit");
        Assert.Single(logs.Entries, e => e.EventId.Id == 5423);

        // The silo restarts during the halt; the strategy comes back, still halted, and the take-profit still rests.
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        account = cluster.Account("held-restart");
        Assert.True((await strategy.GetStatusAsync())!.Running);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(takeProfit.OrderId))!.Status);

        // The halt lifts: the held cancel goes, and the exit the strategy waited for follows it.
        Assert.True((await cluster.Breaker("held-restart").ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).Succeeded);
        await Eventually.WaitAsync(() => account.GetOrderAsync(takeProfit.OrderId), o => o!.Status == OrderStatus.Canceled,
            "the held cancel of the take-profit after the restart", TimeSpan.FromSeconds(30));
        var exit = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.Market, "the exit after the cancel"))[0];
        Assert.Equal((OrderSide.Sell, 5m), (exit.Side, exit.Quantity));

        // The restarted venue fills it at the next quote: the position is closed once, with nothing left resting.
        await Market.QuoteAsync(cluster, Symbol, 40m, 40m);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Single().Quantity == 0m, "the exit's fill");
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    private static async Task BarAsync(TradingCluster cluster, DateTimeOffset start, decimal close)
    {
        var bar = new Bar(Symbol, start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
    }

    /// <summary>
    /// Buys 5 on its first bar and rests a take-profit at 42 once they fill; a bar closing at 30 or below withdraws the
    /// take-profit (asked once, never again), and its Canceled update sends the exit at market.
    /// </summary>
    private sealed class ExitAfterWithdrawal : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "exit-after-withdrawal",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(ExitAfterWithdrawalState),
            Create = _ => new ExitAfterWithdrawal(),
        };

        private ExitAfterWithdrawalState _state = new();

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_state.Entered)
            {
                _state = _state with { Entered = true };
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 5m, Reason = "enter" });
            }
            else if (bar.Close <= 30m && !_state.Withdrawn && _state.TakeProfit is { } takeProfit)
            {
                _state = _state with { Withdrawn = true };
                Context.CancelOrder(takeProfit);
            }
        }

        public override void OnFill(Execution execution)
        {
            if (execution.Side == OrderSide.Buy && _state.TakeProfit is null)
            {
                _state = _state with
                {
                    TakeProfit = Context.SubmitOrder(new OrderIntentRequest
                    {
                        Symbol = execution.Symbol, Side = OrderSide.Sell, Quantity = 5m, Type = OrderType.Limit, LimitPrice = 42m,
                        TimeInForce = TimeInForce.Gtc, Reason = "take profit",
                    }).ClientOrderId,
                };
            }
        }

        public override void OnOrderUpdate(StrategyOrderUpdate update)
        {
            if (update.ClientOrderId == _state.TakeProfit && update.Status == OrderStatus.Canceled)
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = Symbol, Side = OrderSide.Sell, Quantity = 5m, Reason = "exit after the take-profit's cancel" });
            }
        }

        public override StrategyState GetState() => _state;

        public override void Restore(StrategyState state) => _state = (ExitAfterWithdrawalState)state;
    }

    private sealed record ExitAfterWithdrawalState : StrategyState
    {
        public bool Entered { get; init; }

        public string? TakeProfit { get; init; }

        public bool Withdrawn { get; init; }
    }
}
