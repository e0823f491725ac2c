using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.Grains.Tests;

public sealed class StrategyTests
{
    /// <summary>Replayed quotes carry their historical timestamps, so the quote-age limit is opened up; every other limit stays.</summary>
    private static readonly Domain.Risk.RiskLimits ReplayLimits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(20_000) };

    [Fact]
    public async Task SmaCrossover_TradesOnSyntheticFeed_WithPnlEqualToDomainRecomputation()
    {
        var time = TimeProvider.System;
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "strat-syn", 1_000_000m, ReplayLimits);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("strat-syn", "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["SYN"],
            BarInterval = TimeSpan.FromSeconds(1),
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        var options = new SyntheticFeedOptions { Seed = 7, Paced = false, MaxSteps = 400, StartTime = time.GetUtcNow(), TickInterval = TimeSpan.FromSeconds(1) };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "SYN", StartPrice = 100m, Volatility = 0.8 });
        var feed = new SyntheticFeed(options, time, NullLogger.Instance);
        await FeedReplay.RunAsync(cluster, feed.ReadAsync(TestContext.Current.CancellationToken));

        var status = await SettleAsync(cluster, strategy, account, "SYN", secondBars: true);
        Assert.True(status.IntentsSent > 0, "the strategy sent no orders");
        await AssertPnlMatchesDomainAsync(account, 1_000_000m);
        await AssertStrategyPnlMatchesAccountAsync(strategy, account);
    }

    [Fact]
    public async Task SmaCrossover_TradesOnReplayedSpyMinuteBars_WithPnlEqualToDomainRecomputation()
    {
        var data = MarketDataLocator.Find();
        if (data is null || !Directory.Exists(Path.Combine(data, "minute", "SPY")))
        {
            Assert.Skip("Shared market data (shared/data/market/minute/SPY) not found; set ORLEANSTRADER_MARKET_DATA to run this test.");
        }

        var time = TimeProvider.System;
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "strat-spy", 1_000_000m, ReplayLimits);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("strat-spy", "sma"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["SPY"],
            Parameters = new Dictionary<string, string> { ["quantity"] = "100", ["fastPeriod"] = "10", ["slowPeriod"] = "30" },
            Start = true,
        })).Succeeded);

        var replay = new CsvReplayOptions { DataPath = data, SpeedFactor = 0, StartDate = new DateOnly(2013, 10, 7), EndDate = new DateOnly(2013, 10, 11) };
        replay.Symbols.Add("SPY");
        replay.Kinds.Add(CsvFileKind.MinuteTradeBars);
        replay.Kinds.Add(CsvFileKind.MinuteQuoteBars);
        var feed = new CsvReplayFeed(null, replay, new TickValidatorOptions(), time, NullLogger.Instance);
        await FeedReplay.RunAsync(cluster, feed.ReadAsync(TestContext.Current.CancellationToken));

        var status = await SettleAsync(cluster, strategy, account, "SPY", secondBars: false);
        Assert.True(status.BarsSeen > 4000, $"only {status.BarsSeen} bars reached the strategy");
        Assert.True(status.IntentsSent > 0, "the strategy sent no orders");
        await AssertPnlMatchesDomainAsync(account, 1_000_000m);
        await AssertStrategyPnlMatchesAccountAsync(strategy, account);
    }

    /// <summary>Waits until the strategy has seen every published bar and the account has no working order.</summary>
    private static async Task<StrategyStatus> SettleAsync(TradingCluster cluster, IStrategyGrain strategy, IAccountGrain account, string symbol, bool secondBars)
    {
        var stats = await cluster.Symbol(symbol).GetStatsAsync();
        var expected = secondBars ? stats.SecondBarsPublished : stats.BarsPublished;
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.BarsSeen >= expected,
            $"the strategy to see all {expected} bars", TimeSpan.FromSeconds(60));

        // Settled: every intent answered (sent or denied), every order final, every filled share booked as a fill.
        await Eventually.WaitAsync(async () =>
        {
            var status = (await strategy.GetStatusAsync())!;
            var orders = await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null);
            var fills = await account.GetFillsAsync(0, 100_000);
            var snapshot = (await account.GetSnapshotAsync())!;
            return (status, orders, fills, snapshot);
        }, x => x.snapshot.OpenOrderCount == 0 && x.orders.Count == x.status.IntentsSent + x.status.IntentsDenied
            && x.fills.Sum(f => f.Quantity) == x.orders.Sum(o => o.FilledQuantity), "the strategy and its account to settle", TimeSpan.FromSeconds(30));
        return (await strategy.GetStatusAsync())!;
    }

    private static async Task AssertPnlMatchesDomainAsync(IAccountGrain account, decimal initialCash)
    {
        var fills = await account.GetFillsAsync(0, 100_000);
        Assert.NotEmpty(fills);
        var positions = new Dictionary<string, Position>(StringComparer.Ordinal);
        decimal realized = 0m, fees = 0m, cash = initialCash;
        foreach (var fill in fills)
        {
            var position = positions.TryGetValue(fill.Symbol, out var p) ? p : Position.Flat(fill.Symbol);
            var applied = position.Apply(fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity, fill.Price, fill.Fee);
            positions[fill.Symbol] = applied.Position;
            realized += applied.RealizedPnl;
            fees += fill.Fee;
            cash += (fill.Side == OrderSide.Buy ? -1m : 1m) * fill.Quantity * fill.Price - fill.Fee;
        }

        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(realized, snapshot.RealizedPnl);
        Assert.Equal(fees, snapshot.Fees);
        Assert.Equal(cash, snapshot.Cash);
        foreach (var held in await account.GetPositionsAsync())
        {
            Assert.Equal(positions[held.Symbol].Quantity, held.Quantity);
            Assert.Equal(positions[held.Symbol].AverageEntryPrice, held.AverageEntryPrice);
        }
    }

    /// <summary>The account trades for this strategy alone, so the strategy's own P&amp;L (from its own fills) must be the account's.</summary>
    private static async Task AssertStrategyPnlMatchesAccountAsync(IStrategyGrain strategy, IAccountGrain account)
    {
        // Its last fill may reach the strategy after the account: an opening buy changes neither P&L nor (commission-free) fees,
        // so the positions are waited for too. Both sides are read on every poll: under load an intent of the last bars can
        // still be dispatched and fill after the settle check, moving the account past a snapshot taken once.
        var (status, _, positions) = await Eventually.WaitAsync(
            async () => ((await strategy.GetStatusAsync())!, (await account.GetSnapshotAsync())!, await account.GetPositionsAsync()),
            x => x.Item1.RealizedPnl == x.Item2.RealizedPnl && x.Item1.FeesPaid == x.Item2.Fees
                && x.Item3.All(held => x.Item1.Positions.Any(p => p.Symbol == held.Symbol && p.Quantity == held.Quantity)),
            "the strategy's own P&L and positions to be its account's", TimeSpan.FromSeconds(30));
        foreach (var held in positions)
        {
            var own = Assert.Single(status.Positions, p => p.Symbol == held.Symbol);
            Assert.Equal((held.Quantity, held.AverageEntryPrice, held.RealizedPnl, held.FeesPaid), (own.Quantity, own.AverageEntryPrice, own.RealizedPnl, own.FeesPaid));
            if (own.Quantity != 0m)
            {
                Assert.NotNull(own.MarketPrice);
                Assert.Equal(own.Quantity * own.MarketPrice!.Value - (own.Quantity * own.AverageEntryPrice), own.UnrealizedPnl!.Value, 8);
            }
        }

        Assert.True(status.Positions.Count > 0);
    }
}
