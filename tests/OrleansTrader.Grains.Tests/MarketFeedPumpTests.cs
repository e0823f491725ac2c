using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

public sealed class MarketFeedPumpTests
{
    [Fact]
    public async Task ReplayAtFullSpeed_ReachesEveryStrategy_WithoutDrops_ThroughASmallMemoryQueue()
    {
        var data = MarketDataLocator.Find();
        if (data is null || !Directory.Exists(Path.Combine(data, "ticks", "SPY")))
        {
            Assert.Skip("Shared market data (shared/data/market/ticks/SPY) not found; set ORLEANSTRADER_MARKET_DATA to run this test.");
        }

        var ct = TestContext.Current.CancellationToken;
        var options = new CsvReplayOptions { DataPath = data, SpeedFactor = 0, StartDate = new DateOnly(2013, 10, 7), EndDate = new DateOnly(2013, 10, 7) };
        options.Symbols.Add("SPY");
        options.Kinds.Add(CsvFileKind.TradeTicks);
        long trades = 0;
        await foreach (var item in new CsvReplayFeed(null, options, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance).ReadAsync(ct))
        {
            trades += item is TradeEvent ? 1 : 0;
        }

        // Two pump batches (4,096 events each) fill this queue: without waiting, a full-speed replay overflows it.
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { MemoryQueueCapacity = 8192 });
        var strategies = new List<IStrategyGrain>();
        for (var i = 0; i < 3; i++)
        {
            var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("pump-acct", $"s{i}"));
            Assert.True((await strategy.CreateAsync(new CreateStrategy
            {
                Kind = StrategyKinds.SmaCrossover,
                Symbols = ["SPY"],
                Parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "10", ["slowPeriod"] = "30" },
                Start = true,
            })).Succeeded);
            strategies.Add(strategy);
        }

        var memory = (MemoryStreamProvider)cluster.Cluster.Client.GetStreamProvider(StreamNames.MemoryProvider);
        var pump = new MarketFeedPump(
            new CsvReplayFeed(null, options, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance),
            cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(
                () => cluster.Symbol("SPY").GetStatsAsync(), s => s.AcceptedTrades + s.RejectedByReason.Values.Sum() == trades,
                $"the symbol grain to receive all {trades} trades", TimeSpan.FromSeconds(120));
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        var stats = await cluster.Symbol("SPY").GetStatsAsync();
        var seen = await Eventually.WaitAsync(
            async () => await Task.WhenAll(strategies.Select(async s => (await s.GetStatusAsync())!.TicksSeen)),
            counts => counts.All(c => c == stats.AcceptedTrades) || memory.DroppedEventCount > 0,
            $"every strategy to see {stats.AcceptedTrades} ticks", TimeSpan.FromSeconds(60));

        Assert.Equal(0, memory.DroppedEventCount);
        Assert.Equal(trades, stats.AcceptedTrades + stats.RejectedByReason.Values.Sum());
        Assert.True(stats.AcceptedTrades > 200_000, $"only {stats.AcceptedTrades} trades accepted");
        Assert.All(seen, count => Assert.Equal(stats.AcceptedTrades, count));
    }
}
