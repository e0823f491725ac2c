using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>A strategy that starts without a snapshot is primed with the latest bars before live data, and sends nothing from them.</summary>
public sealed class StrategyWarmUpTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task AnSmaCrossover_WarmsUpOnTheBarsTheSiloHolds_AndCrossesOnItsFirstLiveBar()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "warm", 1_000_000m);
        var t0 = MinutesAgo(10);
        await IngestAsync(cluster, "WUP", [Bar("WUP", t0, 100m), Bar("WUP", t0 + Minute, 99m), Bar("WUP", t0 + (2 * Minute), 98m),
            Bar("WUP", t0 + (3 * Minute), 97m), Bar("WUP", t0 + (4 * Minute), 96m)]);
        await Market.QuoteAsync(cluster, "WUP", 100.9m, 101.1m);

        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("warm", "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["WUP"],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "2", ["slowPeriod"] = "3" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        // The slow period's three latest bars: SMA(2) 96.5 under SMA(3) 97 is the relation the next bar is compared with.
        var warmUp = created.Status!.WarmUp;
        Assert.NotNull(warmUp);
        Assert.Equal((3, 0L), (warmUp.BarsWanted, warmUp.IntentsRefused));
        var symbol = Assert.Single(warmUp.Symbols);
        Assert.Equal(("WUP", 3, Strategies.LatestBarsReader.SiloSource, t0 + (2 * Minute), t0 + (5 * Minute), (string?)null),
            (symbol.Symbol, symbol.Bars, symbol.Source, symbol.FirstBarStart, symbol.LastBarEnd, symbol.Problem));
        Assert.Equal(0, created.Status.BarsSeen);

        // Without the warm-up a 3-bar SMA could not cross before its fourth live bar; here the first one does it.
        await IngestAsync(cluster, "WUP", [Bar("WUP", t0 + (5 * Minute), 101m)]);
        await Eventually.WaitAsync(account.GetPositionsAsync, p => p.Any(x => x.Symbol == "WUP" && x.Quantity == 10m),
            "the golden cross on the first live bar to buy 10", TimeSpan.FromSeconds(30));
        Assert.Equal((1L, 1L), ((await strategy.GetStatusAsync())!.BarsSeen, (await strategy.GetStatusAsync())!.IntentsSent));

        // A restart from its snapshot does not warm up again; new parameters (the snapshot discarded) do.
        await strategy.StopAsync();
        var restarted = await strategy.StartAsync();
        Assert.Equal(warmUp.At, restarted.Status!.WarmUp!.At);
        var changed = await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "2", ["slowPeriod"] = "5" });
        Assert.True(changed.Succeeded, changed.Message);
        var rewarmed = changed.Status!.WarmUp!;
        Assert.Equal((5, 5), (rewarmed.BarsWanted, rewarmed.Symbols[0].Bars));
        Assert.Equal(t0 + (6 * Minute), rewarmed.Symbols[0].LastBarEnd);
    }

    [Fact]
    public async Task HistorySources_AreAskedInOrder_AFailingOneIsPassedOver_AndOrdersOnHistoryAreRefusedNeverSent()
    {
        var t0 = MinutesAgo(20);
        var history = new[]
        {
            Bar("HIS", t0, 50m), Bar("HIS", t0 + Minute, 50.1m), Bar("HIS", t0 + (2 * Minute), 50.2m), Bar("HIS", t0 + (3 * Minute), 50.3m),
            Bar("HIS", t0 + (4 * Minute), 50.4m), Bar("HIS", t0 + (5 * Minute), 50.5m),
            new Bar("HIS", t0 + (5 * Minute), TimeSpan.FromSeconds(1), 50m, 50m, 50m, 50m, 1m), // another interval: not this strategy's
            Bar("HIS", TimeProvider.System.GetUtcNow().AddMinutes(5), 51m), // not ended yet
        };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(EveryBarBuyer.Definition);
                silo.Services.AddSingleton<IHistoricalBarSource>(new FailingSource());
                silo.Services.AddSingleton<IHistoricalBarSource>(new FixedSource(history));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "hist", 1_000_000m);
        await Market.QuoteAsync(cluster, "HIS", 50.4m, 50.6m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("hist", "buyer"));

        var created = await strategy.CreateAsync(new CreateStrategy { Kind = EveryBarBuyer.Definition.Kind, Symbols = ["HIS"], Start = true });

        Assert.True(created.Succeeded, created.Message);
        var warmUp = created.Status!.WarmUp!;
        var symbol = Assert.Single(warmUp.Symbols);
        Assert.Equal(("fixed", 4, t0 + (2 * Minute), t0 + (6 * Minute)), (symbol.Source, symbol.Bars, symbol.FirstBarStart, symbol.LastBarEnd));
        Assert.Equal("failing: vendor down", symbol.Problem);
        Assert.Equal(4, warmUp.IntentsRefused);
        Assert.Equal(0, created.Status.IntentsSent);
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.All, 100, null));
        Assert.Equal([(t0 + (3 * Minute), true), (t0 + (4 * Minute), true), (t0 + (5 * Minute), true), (t0 + (6 * Minute), true)],
            EveryBarBuyer.Seen("buyer"));

        // A live bar the warm-up already fed is not fed again; the next one is, and its order is sent.
        await IngestAsync(cluster, "HIS", [Bar("HIS", t0 + (5 * Minute), 50.5m), Bar("HIS", t0 + (6 * Minute), 50.6m)]);
        await Eventually.WaitAsync(() => Task.FromResult(EveryBarBuyer.Seen("buyer")), seen => seen.Count >= 5, "the live bar", TimeSpan.FromSeconds(30));
        await IngestAsync(cluster, "HIS", [Bar("HIS", t0 + (7 * Minute), 50.7m)]);
        var seen = await Eventually.WaitAsync(() => Task.FromResult(EveryBarBuyer.Seen("buyer")), s => s.Count >= 6, "the second live bar", TimeSpan.FromSeconds(30));
        Assert.Equal([(t0 + (7 * Minute), false), (t0 + (8 * Minute), false)], seen.Skip(4));
        var orders = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.All, 100, null), o => o.Count >= 1, "the live order", TimeSpan.FromSeconds(30));
        Assert.Equal("buyer-5", Assert.Single(orders).ClientOrderId);

        // Past the overlap every bar is live, an older one too (a replay started again).
        await IngestAsync(cluster, "HIS", [Bar("HIS", t0 + Minute, 50.1m)]);
        var again = await Eventually.WaitAsync(() => Task.FromResult(EveryBarBuyer.Seen("buyer")), s => s.Count >= 7, "the older live bar", TimeSpan.FromSeconds(30));
        Assert.Equal((t0 + (2 * Minute), false), again[6]);
    }

    [Fact]
    public async Task ASourceThatDoesNotAnswer_IsGivenUpAfterItsTimeout_AndTheStrategyStartsOnWhatTheSiloHolds()
    {
        var time = new FakeTimeProvider(MinutesAgo(0));
        var hanging = new HangingSource();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(EveryBarBuyer.Definition);
                silo.Services.AddSingleton<IHistoricalBarSource>(hanging);
            },
        });
        await TestAccounts.OpenAsync(cluster, "slow", 1_000_000m);
        var t0 = time.GetUtcNow().AddMinutes(-3);
        await IngestAsync(cluster, "SLW", [Bar("SLW", t0, 20m), Bar("SLW", t0 + Minute, 20.1m)]);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("slow", "slow-buyer"));

        var creating = strategy.CreateAsync(new CreateStrategy { Kind = EveryBarBuyer.Definition.Kind, Symbols = ["SLW"], Start = true });
        await hanging.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(creating.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(15));
        var created = await creating.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(created.Succeeded, created.Message);
        var symbol = Assert.Single(created.Status!.WarmUp!.Symbols);
        Assert.Equal((Strategies.LatestBarsReader.SiloSource, 2, "hanging: no answer within 15 s"), (symbol.Source, symbol.Bars, symbol.Problem));
        Assert.True(created.Status.Running);
    }

    [Fact]
    public async Task ACancelAskedForOnHistory_IsNotSent_TheLiveOrderStaysOpen()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddStrategy(RestAboveFloor.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "histcancel", 1_000_000m);
        await Market.QuoteAsync(cluster, "WCN", 40m, 40m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("histcancel", "floor"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = RestAboveFloor.Definition.Kind, Symbols = ["WCN"], Parameters = new Dictionary<string, string> { ["floor"] = "30" }, Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        await IngestAsync(cluster, "WCN", [Bar("WCN", MinutesAgo(5), 40m)]);
        var resting = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the resting order"))[0];

        // New parameters: a fresh start warms up on that bar, which is under the new floor; the strategy cancels on it.
        var changed = await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["floor"] = "45" });

        Assert.True(changed.Succeeded, changed.Message);
        Assert.Equal(1, changed.Status!.WarmUp!.Symbols[0].Bars);
        Assert.Equal(resting.Status, (await account.GetOrderAsync(resting.OrderId))!.Status);
    }

    private static DateTimeOffset MinutesAgo(int minutes)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-minutes);
    }

    private static Bar Bar(string symbol, DateTimeOffset start, decimal close) => new(symbol, start, Minute, close, close, close, close, 100m, 1);

    private static async Task IngestAsync(TradingCluster cluster, string symbol, IReadOnlyList<Bar> bars)
    {
        var result = await cluster.Symbol(symbol).IngestAsync(new TickBatch { Bars = [.. bars] });
        Assert.Equal(bars.Count, result.Accepted);
    }

    private sealed class FailingSource : IHistoricalBarSource
    {
        public string Name => "failing";

        public Task<IReadOnlyList<Bar>> GetLatestBarsAsync(string symbol, TimeSpan interval, int count, DateTimeOffset before, CancellationToken cancellationToken) =>
            throw new HttpRequestException("vendor down");
    }

    /// <summary>Never answers until the warm-up's timeout cancels the request.</summary>
    private sealed class HangingSource : IHistoricalBarSource
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "hanging";

        public async Task<IReadOnlyList<Bar>> GetLatestBarsAsync(string symbol, TimeSpan interval, int count, DateTimeOffset before, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }

    /// <summary>Answers with everything it holds, whatever was asked: the grain keeps only what fits the request.</summary>
    private sealed class FixedSource(IReadOnlyList<Bar> bars) : IHistoricalBarSource
    {
        public string Name => "fixed";

        public Task<IReadOnlyList<Bar>> GetLatestBarsAsync(string symbol, TimeSpan interval, int count, DateTimeOffset before, CancellationToken cancellationToken) =>
            Task.FromResult(bars);
    }

    /// <summary>Buys one share on every bar while flat with no open order, and records each bar it sees (end, warming up).</summary>
    private sealed class EveryBarBuyer : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "every-bar-buyer",
            ParameterNames = [],
            MaxSymbols = 1,
            StateType = typeof(NoState),
            Create = _ => new EveryBarBuyer(),
        };

        // Keyed by strategy id, which every test gives its own: the class's tests may run in any order.
        private static readonly ConcurrentDictionary<string, ConcurrentQueue<(DateTimeOffset, bool)>> SeenBars = new(StringComparer.Ordinal);

        public override string Kind => Definition.Kind;

        public override int WarmUpBars => 4;

        public static IReadOnlyList<(DateTimeOffset End, bool WarmingUp)> Seen(string strategyId) =>
            SeenBars.TryGetValue(strategyId, out var seen) ? [.. seen] : [];

        public override void OnBar(Bar bar)
        {
            SeenBars.GetOrAdd(Context.StrategyId, _ => new()).Enqueue((bar.End, Context.IsWarmingUp));
            if (Context.GetPosition(bar.Symbol).Quantity == 0m && !Context.HasOpenOrder(bar.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "every bar" });
            }
        }

        public override StrategyState GetState() => new NoState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record NoState : StrategyState;

    /// <summary>Rests a buy limit a dollar under the close while the close is at or above the floor; cancels it under the floor.</summary>
    private sealed class RestAboveFloor(decimal floor) : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "rest-above-floor",
            ParameterNames = ["floor"],
            MaxSymbols = 1,
            StateType = typeof(NoState),
            Create = setup => new RestAboveFloor(setup.RequiredDecimal("floor")),
        };

        public override string Kind => Definition.Kind;

        public override int WarmUpBars => 1;

        public override void OnBar(Bar bar)
        {
            if (bar.Close < floor)
            {
                foreach (var order in Context.OpenOrders)
                {
                    Context.CancelOrder(order.ClientOrderId);
                }
            }
            else if (!Context.HasOpenOrder(bar.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Limit, LimitPrice = bar.Close - 1m,
                    TimeInForce = TimeInForce.Gtc, Reason = "above the floor",
                });
            }
        }

        public override StrategyState GetState() => new NoState();

        public override void Restore(StrategyState state)
        {
        }
    }
}
