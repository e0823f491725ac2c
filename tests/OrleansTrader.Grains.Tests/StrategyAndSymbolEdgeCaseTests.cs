using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
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
