using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Alpaca's trade corrections ("c") and cancels/errors ("x"): a busted or corrected print must not stay the symbol's last
/// trade (the accounts' mark, the paper exchange's stops, the strategies) nor in the bar being built.
/// </summary>
public sealed class TradeAmendmentTests
{
    private static DateTimeOffset MinuteStart()
    {
        // Ten minutes back: replay-like data, whose bars close on a later trade or CloseBarsAsync, not on the clock.
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
    }

    private static TradeTick Print(string symbol, DateTimeOffset at, decimal price, long id, decimal size = 100m) =>
        new(symbol, at, price, size, "P", SourceId: id);

    private static TradeAmendment Cancel(string symbol, long id, int tradesBefore = 0) =>
        new() { Symbol = symbol, TradeId = id, TradesBefore = tradesBefore };

    private static TradeAmendment Correct(string symbol, long id, TradeTick corrected, int tradesBefore = 0) =>
        new() { Symbol = symbol, TradeId = id, Corrected = corrected, TradesBefore = tradesBefore };

    [Fact]
    public async Task ACancelOfTheLastTrade_LeavesThePreviousPrintAsTheLastTrade_OrNoneWhenItWasTheOnlyOne()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("CXL");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch { Trades = [Print("CXL", t0.AddSeconds(5), 40m, 1), Print("CXL", t0.AddSeconds(10), 40.5m, 2)] })).Accepted);

        await symbol.IngestAsync(new TickBatch { Amendments = [Cancel("CXL", 2)] });

        var last = (await symbol.GetQuoteAsync()).LastTrade;
        Assert.Equal((40m, (long?)1), (last?.Price, last?.SourceId));
        Assert.Equal(1, (await symbol.GetStatsAsync()).TradesCancelled);

        var only = cluster.Symbol("CXO");
        Assert.Equal(1, (await only.IngestAsync(new TickBatch { Trades = [Print("CXO", t0.AddSeconds(5), 40m, 7)] })).Accepted);
        await only.IngestAsync(new TickBatch { Amendments = [Cancel("CXO", 7)] });
        Assert.Null((await only.GetQuoteAsync()).LastTrade);
    }

    [Fact]
    public async Task ACorrectionOfTheLastTrade_MakesTheCorrectedPriceAndSizeTheLastTrade()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("COR");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch { Trades = [Print("COR", t0.AddSeconds(5), 40m, 1), Print("COR", t0.AddSeconds(10), 40.5m, 2)] })).Accepted);

        await symbol.IngestAsync(new TickBatch { Amendments = [Correct("COR", 2, Print("COR", t0.AddSeconds(10), 40.25m, 3, size: 300m))] });

        var last = (await symbol.GetQuoteAsync()).LastTrade;
        Assert.Equal((40.25m, 300m, (long?)3), (last?.Price, last?.Size, last?.SourceId));
        Assert.Equal(1, (await symbol.GetStatsAsync()).TradesCorrected);
    }

    /// <summary>Trade ids are each exchange's own: a cancel naming its exchange takes that exchange's print, not a newer one
    /// of another exchange that happens to carry the same id.</summary>
    [Fact]
    public async Task ACancelNamingAnExchange_TakesThatExchangesPrint_NotAnotherExchangesWithTheSameId()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("XEX");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("XEX", t0.AddSeconds(5), 40m, 100m, "P", SourceId: 9), new TradeTick("XEX", t0.AddSeconds(10), 40.5m, 100m, "Q", SourceId: 9)],
        })).Accepted);

        await symbol.IngestAsync(new TickBatch { Amendments = [new TradeAmendment { Symbol = "XEX", TradeId = 9, Exchange = "P", TradesBefore = 0 }] });

        var last = (await symbol.GetQuoteAsync()).LastTrade;
        Assert.Equal((40.5m, "Q"), (last?.Price, last?.Exchange));
        Assert.Equal(1, (await symbol.GetStatsAsync()).TradesCancelled);
    }

    /// <summary>The bars still open are built again without the cancelled print and with the corrected one.</summary>
    [Fact]
    public async Task ACancelAndACorrectionInsideTheOpenBars_ArePublishedRecomputed()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("OPN");
        Assert.Equal(3, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [Print("OPN", t0.AddSeconds(5.1), 40m, 1), Print("OPN", t0.AddSeconds(5.2), 43m, 2), Print("OPN", t0.AddSeconds(5.3), 40.2m, 3)],
        })).Accepted);

        await symbol.IngestAsync(new TickBatch
        {
            Amendments = [Cancel("OPN", 2), Correct("OPN", 3, Print("OPN", t0.AddSeconds(5.3), 40.3m, 4, size: 300m))],
        });
        await symbol.CloseBarsAsync();

        var minute = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        var second = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromSeconds(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        foreach (var bar in new[] { minute, second })
        {
            Assert.Equal((40m, 40.3m, 40m, 40.3m, 400m, 2), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.TradeCount));
        }

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((1, 1, 0), (stats.TradesCancelled, stats.TradesCorrected, stats.AmendmentsOfPublishedBars));
    }

    /// <summary>
    /// A cancel delivered between trades of one batch applies there: the later trade of the next minute completes the bar
    /// without the cancelled print, not with it.
    /// </summary>
    [Fact]
    public async Task ACancelBetweenTradesOfOneBatch_AppliesBeforeTheLaterTradeCompletesTheBar()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("ORDC");
        await symbol.IngestAsync(new TickBatch
        {
            Trades = [Print("ORDC", t0.AddSeconds(5), 40m, 1), Print("ORDC", t0.AddSeconds(6), 43m, 2), Print("ORDC", t0.AddSeconds(65), 40.1m, 3)],
            Amendments = [Cancel("ORDC", 2, tradesBefore: 2)],
        });

        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), t0, t0.AddMinutes(1)));
        Assert.Equal((40m, 40m, 100m), (bar.High, bar.Close, bar.Volume));
        Assert.Equal(0, (await symbol.GetStatsAsync()).AmendmentsOfPublishedBars);
    }

    /// <summary>
    /// Published bars are not retracted (the strategies have acted on them): a correction or cancel of a print in one is
    /// counted, and the last trade is still amended.
    /// </summary>
    [Fact]
    public async Task ACancelOrCorrectionOfAPrintInAPublishedBar_IsCounted_AndTheBarStays()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("PUB");
        Assert.Equal(3, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [Print("PUB", t0.AddSeconds(5), 40m, 1), Print("PUB", t0.AddSeconds(6), 40.4m, 2), Print("PUB", t0.AddSeconds(65), 40.1m, 3)],
        })).Accepted);

        await symbol.IngestAsync(new TickBatch
        {
            Amendments = [Cancel("PUB", 2), Correct("PUB", 1, Print("PUB", t0.AddSeconds(5), 39.9m, 4))],
        });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal(2, stats.AmendmentsOfPublishedBars);
        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), t0, t0.AddMinutes(1)));
        Assert.Equal((40m, 40.4m, 200m), (bar.Open, bar.Close, bar.Volume));
        Assert.Equal(40.1m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
    }

    /// <summary>A print older than the recent trades the grain keeps cannot be found: counted as unknown, nothing changes.</summary>
    [Fact]
    public async Task ACancelOfAPrintOlderThanTheGrainKeeps_IsCountedAsUnknown()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart().AddMinutes(-20);
        var symbol = cluster.Symbol("OLD");
        var trades = Enumerable.Range(1, 5_000).Select(i => Print("OLD", t0.AddMilliseconds(100 * i), 40m + (i % 2 / 100m), i)).ToList();
        Assert.Equal(5_000, (await symbol.IngestAsync(new TickBatch { Trades = trades })).Accepted);

        var result = await symbol.IngestAsync(new TickBatch { Amendments = [Cancel("OLD", 1)] });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((0, 1), (result.Accepted, result.Rejected));
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("UnknownTradeId"));
        Assert.Equal(0, stats.TradesCancelled);
    }

    [Fact]
    public async Task ACancelOfAnUnknownTradeId_IsCounted_AndChangesNothing()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("UNK");
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [Print("UNK", t0.AddSeconds(5), 40m, 1)] })).Accepted);

        var result = await symbol.IngestAsync(new TickBatch { Amendments = [Cancel("UNK", 99)] });
        await symbol.CloseBarsAsync();

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((0, 1), (result.Accepted, result.Rejected));
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("UnknownTradeId"));
        Assert.Equal((0, 0), (stats.TradesCancelled, stats.TradesCorrected));
        Assert.Equal(40m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
        Assert.Equal(100m, Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Volume);
    }

    /// <summary>A correction is validated as a trade is: an absurd corrected price is rejected, and the busted print still goes.</summary>
    [Fact]
    public async Task ACorrectionToAPriceAboveTheCeiling_IsRejected_AndTheOriginalPrintStillGoes()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var symbol = cluster.Symbol("CEIL");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch { Trades = [Print("CEIL", t0.AddSeconds(5), 40m, 1), Print("CEIL", t0.AddSeconds(6), 40.2m, 2)] })).Accepted);

        await symbol.IngestAsync(new TickBatch { Amendments = [Correct("CEIL", 2, Print("CEIL", t0.AddSeconds(6), 1e20m, 3))] });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("PriceAboveMaximum"));
        Assert.Equal(40m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
    }

    /// <summary>The feed pump hands Alpaca's corrections and cancels to the symbol grain, in feed order with the trades.</summary>
    [Fact]
    public async Task ThePump_DeliversAFeedsCorrectionsAndCancels_ToTheSymbolGrain()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinuteStart();
        var feed = new ScriptedFeed(
        [
            new TradeEvent(new TradeTick("AMD", t0.AddSeconds(5), 40m, 100m, "P"), 1),
            new TradeEvent(new TradeTick("AMD", t0.AddSeconds(6), 40.2m, 100m, "P"), 2),
            new TradeEvent(new TradeTick("AMD", t0.AddSeconds(7), 44m, 100m, "P"), 3),
            new TradeCancelEvent { TradeSymbol = "AMD", Timestamp = t0.AddSeconds(7), Exchange = "P", TradeId = 3, Price = 44m, Size = 100m, Action = "C" },
            new TradeCorrectionEvent
            {
                TradeSymbol = "AMD", Timestamp = t0.AddSeconds(6), Exchange = "P", OriginalId = 2, OriginalPrice = 40.2m, OriginalSize = 100m,
                CorrectedId = 4, CorrectedPrice = 40.1m, CorrectedSize = 200m,
            },
        ]);
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        var ct = TestContext.Current.CancellationToken;
        var symbol = cluster.Symbol("AMD");
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(pump.EventsDelivered), n => n == 5, "the feed's five events to pass the pump");
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((1, 1), (stats.TradesCancelled, stats.TradesCorrected));
        var last = (await symbol.GetQuoteAsync()).LastTrade;
        Assert.Equal((40.1m, 200m), (last?.Price, last?.Size));
    }

    private sealed class ScriptedFeed(IReadOnlyList<MarketDataEvent> events) : IMarketDataFeed
    {
        public string Name => "scripted";

        public FeedHealth GetHealth() => throw new NotSupportedException();

        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var item in events)
            {
                yield return item;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
