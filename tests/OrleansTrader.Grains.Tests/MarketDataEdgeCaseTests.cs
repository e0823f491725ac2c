using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Market data edge cases: status events are not fresh data, feed bars of other lengths, the configured validation in the
/// symbol grain, the last bar of live data and of a replay.
/// </summary>
public sealed class MarketDataEdgeCaseTests
{
    /// <summary>
    /// A feed that is down and only reports its reconnect failures (Alpaca publishes a status event with the error code
    /// on every failed attempt, e.g. 406 "connection limit exceeded") has delivered no market data: the pump must not
    /// report it as fresh to the global breaker and the readiness check.
    /// </summary>
    [Fact]
    public async Task StatusEventsAlone_AreNotMarketData_ForTheFreshnessTheBreakerIsTold()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var feed = new ScriptedFeed();
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        var ct = TestContext.Current.CancellationToken;
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(pump.EventsDelivered), n => n == 3, "the three status events to pass the pump");
            Assert.Null(pump.LastReceivedAt);

            feed.ReleaseTrade.SetResult();
            await Eventually.WaitAsync(() => Task.FromResult(pump.LastReceivedAt), at => at is not null, "the trade to count as market data");
        }
        finally
        {
            await pump.StopAsync(ct);
        }
    }

    /// <summary>
    /// A live feed is silent while the market is closed (nights, weekends, holidays): with Calendar:Kind=nyse that silence
    /// must not fail readiness, or the load balancer (Container Apps' readiness probe) takes the only silo out of service
    /// and the API is unreachable until the market opens; a silo deployed on a weekend would never become ready. While the
    /// market is open, a silent feed still fails readiness.
    /// </summary>
    [Fact]
    public async Task AFeedSilentWhileTheMarketIsClosed_KeepsTheSiloReady_AndFailsItOnceTheMarketHasBeenOpen()
    {
        var saturdayNoonNewYork = new DateTimeOffset(2026, 1, 10, 17, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(saturdayNoonNewYork);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Demo:Enabled"] = "false",
            ["Calendar:Kind"] = "nyse",
        });
        builder.AddOrleansTrader();
        builder.Services.AddSingleton<TimeProvider>(time);
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<MarketFeedPump>(); // the silo starts the pump (its start time) with the host
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var ct = TestContext.Current.CancellationToken;

        time.Advance(TimeSpan.FromMinutes(5));
        var weekend = (await health.CheckHealthAsync(r => r.Name == "feed", ct)).Entries["feed"];
        Assert.True(weekend.Status == HealthStatus.Healthy, $"Saturday, market closed: {weekend.Status} ({weekend.Description})");

        time.SetUtcNow(new DateTimeOffset(2026, 1, 12, 15, 0, 0, TimeSpan.Zero)); // Monday 10:00 in New York, open since 04:00
        var monday = (await health.CheckHealthAsync(r => r.Name == "feed", ct)).Entries["feed"];
        Assert.True(monday.Status == HealthStatus.Unhealthy, $"Monday, market open for hours: {monday.Status} ({monday.Description})");
    }

    /// <summary>
    /// A CSV replay of daily bars (MarketData:Csv:Kinds = DailyBars) or any feed bar that is not one minute long must not
    /// show up as a one-minute bar (GET /api/symbols/{symbol}/bars?interval=1m) nor go out on the one-minute "bars" stream.
    /// </summary>
    [Fact]
    public async Task AFeedsDailyBar_IsNotKeptOrPublishedAsAOneMinuteBar()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("DLY");
        var day = new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero).AddDays(-2);
        await symbol.IngestAsync(new TickBatch { Bars = [new Bar("DLY", day, TimeSpan.FromDays(1), 40m, 42m, 39m, 41m, 1_000_000m)] });

        var minuteBars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Empty(minuteBars);
        Assert.Equal(0, (await symbol.GetStatsAsync()).BarsPublished);
    }

    /// <summary>A feed's one-second bar belongs on "bars-1s" (and to the 1 s bars), not on the one-minute "bars" stream.</summary>
    [Fact]
    public async Task AFeedsOneSecondBar_IsPublishedAsAOneSecondBar()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("SEC");
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero);
        await symbol.IngestAsync(new TickBatch { Bars = [new Bar("SEC", start, TimeSpan.FromSeconds(1), 40m, 40m, 40m, 40m, 100m)] });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal(0, stats.BarsPublished);
        Assert.Equal(1, stats.SecondBarsPublished);
        Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromSeconds(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>
    /// A feed bar of a later minute (a replay of minute bars beside its trades, whose trades of that minute were all
    /// rejected) arrives while the trades' bar of an earlier minute is still open: the bars must still come out oldest
    /// first, as GetBarsAsync promises and the strategies on "bars" expect.
    /// </summary>
    [Fact]
    public async Task AFeedBarOfALaterMinute_CompletesTheOpenTradeBarFirst_SoBarsStayOldestFirst()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("ORD");

        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("ORD", t0.AddSeconds(10), 40m, 100m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch
        {
            Bars = [new Bar("ORD", t0.AddMinutes(1), TimeSpan.FromMinutes(1), 40.1m, 40.2m, 40m, 40.1m, 300m, 3)],
        })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("ORD", t0.AddSeconds(130), 40.2m, 100m)] })).Accepted);

        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([t0, t0.AddMinutes(1)], bars.Select(b => b.Start));
        Assert.Equal(2, (await symbol.GetStatsAsync()).BarsPublished);
    }

    /// <summary>
    /// The same within one batch (the feed pump sends a replay's rows in batches spanning minutes): a feed bar is known at
    /// its end, so it goes out before the bars the later trades complete, not after all of them.
    /// </summary>
    [Fact]
    public async Task AFeedBarBetweenTradesOfOneBatch_IsPublishedInItsPlace_SoBarsStayOldestFirst()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("ORB");

        Assert.Equal(4, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("ORB", t0.AddSeconds(10), 40m, 100m), new TradeTick("ORB", t0.AddSeconds(130), 40.2m, 100m), new TradeTick("ORB", t0.AddSeconds(190), 40.3m, 100m)],
            Bars = [new Bar("ORB", t0.AddMinutes(1), TimeSpan.FromMinutes(1), 40.1m, 40.2m, 40m, 40.1m, 300m, 3)],
        })).Accepted);

        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([t0, t0.AddMinutes(1), t0.AddMinutes(2)], bars.Select(b => b.Start));
    }

    /// <summary>
    /// An operator who widens the band (MarketData:Validation:PriceBandPercent, bound and validated at startup) expects
    /// the symbol grains, where every feed's ticks are validated, to apply it.
    /// </summary>
    [Fact]
    public async Task TheConfiguredValidation_IsTheSymbolGrainsValidation()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<TickValidatorOptions>(o => o.PriceBandPercent = 50m),
        });
        var symbol = cluster.Symbol("BND");
        var t0 = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        var warmUp = Enumerable.Range(0, 5).Select(i => new TradeTick("BND", t0.AddSeconds(i), 10m, 100m)).ToList();
        Assert.Equal(5, (await symbol.IngestAsync(new TickBatch { Trades = warmUp })).Accepted);

        // 20 % away: outside the default 10 % band, well inside the configured 50 %.
        var result = await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("BND", t0.AddSeconds(10), 12m, 100m)] });
        Assert.Equal(1, result.Accepted);
    }

    /// <summary>
    /// Live trades that stop (the last print of the session, a symbol gone quiet) leave the last bar open: it must still
    /// be published once its interval has ended on the clock, or a strategy acting on the close never sees that bar.
    /// </summary>
    [Fact]
    public async Task LiveTradesThatStop_TheirLastBarsArePublished_OnceTheIntervalHasEnded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 20, 59, 30, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var symbol = cluster.Symbol("CLS");
        var minute = new DateTimeOffset(2026, 3, 2, 20, 59, 0, TimeSpan.Zero);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("CLS", time.GetUtcNow(), 40m, 100m)] })).Accepted);
        time.Advance(TimeSpan.FromSeconds(29.5));
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("CLS", time.GetUtcNow(), 40.5m, 300m)] })).Accepted);

        // No trade follows; the clock passes the minute's end.
        var bars = await Eventually.WaitAsync(
            () => symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue),
            b => b.Count > 0, "the 20:59 bar to close", tick: () => time.Advance(TimeSpan.FromMilliseconds(500)));

        var bar = Assert.Single(bars);
        Assert.Equal((minute, 40m, 40.5m, 400m), (bar.Start, bar.Open, bar.Close, bar.Volume));
        Assert.Contains(await symbol.GetBarsAsync(TimeSpan.FromSeconds(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue), b => b.Start == minute.AddSeconds(59));
    }

    /// <summary>
    /// Live data is live by the ticks stamped about now, not by whichever came last: a late-reported print (stamped minutes
    /// back) arriving after the session's last trade left the symbol judged a replay, and its last bar was never closed.
    /// </summary>
    [Fact]
    public async Task LiveTradesFollowedByALateReportedPrint_TheirLastBarIsStillPublished_OnceTheIntervalHasEnded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 20, 59, 59, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var symbol = cluster.Symbol("CLL");
        var minute = new DateTimeOffset(2026, 3, 2, 20, 59, 0, TimeSpan.Zero);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("CLL", time.GetUtcNow(), 40m, 100m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("CLL", time.GetUtcNow().AddMinutes(-5), 40.1m, 50m)] })).Accepted);

        var bars = await Eventually.WaitAsync(
            () => symbol.GetBarsAsync(TimeSpan.FromMinutes(1), minute, minute.AddMinutes(1)),
            b => b.Count > 0, "the 20:59 bar to close", tick: () => time.Advance(TimeSpan.FromMilliseconds(500)));

        var bar = Assert.Single(bars);
        Assert.Equal((40m, 40m, 100m), (bar.Open, bar.Close, bar.Volume));
    }

    /// <summary>A replay's last minute has no next trade either: when the replay ends, its last bars are published.</summary>
    [Fact]
    public async Task AReplaysLastBars_ArePublished_WhenTheReplayEnds()
    {
        using var folder = new TempDirectory();
        var file = folder.File("2013-10-07.trades.csv");
        await File.WriteAllLinesAsync(file, [
            "time,price,size,exchange,condition,suspicious",
            "2013-10-07T19:59:10.000-04:00,167.40,100,P,0,0",
            "2013-10-07T19:59:58.500-04:00,167.45,200,P,0,0",
        ], TestContext.Current.CancellationToken);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var feed = new CsvReplayFeed([new CsvSource(file, "RPL", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        var ct = TestContext.Current.CancellationToken;
        await pump.StartAsync(ct);
        try
        {
            var bars = await Eventually.WaitAsync(
                () => cluster.Symbol("RPL").GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue),
                b => b.Count > 0, "the replay's last minute bar");

            var bar = Assert.Single(bars);
            Assert.Equal((new DateTimeOffset(2013, 10, 7, 23, 59, 0, TimeSpan.Zero), 167.40m, 167.45m, 300m), (bar.Start, bar.Open, bar.Close, bar.Volume));
            Assert.Equal(1, (await cluster.Symbol("RPL").GetStatsAsync()).BarsPublished);
        }
        finally
        {
            await pump.StopAsync(ct);
        }
    }

    /// <summary>
    /// A replay that has ended is done, not stale: judged by the age of its last row, the feed's readiness check failed for
    /// good Feed:StaleAfterSeconds after the replay's end, and took the silo's API out of the load balancer.
    /// </summary>
    [Fact]
    public async Task AReplayThatEnded_KeepsTheFeedCheckHealthy_LongAfterItsLastRow()
    {
        using var folder = new TempDirectory();
        var file = folder.File("2013-10-07.trades.csv");
        await File.WriteAllLinesAsync(file, [
            "time,price,size,exchange,condition,suspicious",
            "2013-10-07T10:00:00.000-04:00,167.40,100,P,0,0",
        ], TestContext.Current.CancellationToken);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var feed = new CsvReplayFeed([new CsvSource(file, "END", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        var anHourLater = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddHours(1));
        var check = new FeedHealthCheck(pump, anHourLater, TimeSpan.FromSeconds(30), OrleansTrader.Domain.Calendar.AlwaysOpenCalendar.Instance, FeedHours.ExtendedSession);
        var ct = TestContext.Current.CancellationToken;
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(feed.GetHealth().State), s => s == FeedState.Completed, "the replay to end");

            var result = await Eventually.WaitAsync(
                () => check.CheckHealthAsync(new HealthCheckContext(), ct), r => r.Status == HealthStatus.Healthy, "the feed check to pass after the replay's end");

            Assert.True(pump.EventsDelivered > 0);
            Assert.Contains("the replay ended", result.Description, StringComparison.Ordinal);
        }
        finally
        {
            await pump.StopAsync(ct);
        }
    }

    /// <summary>
    /// A real price gap (a halt, then a new level) is accepted after ReanchorAfterConsecutiveRejections (5) out-of-band
    /// prints: 4 rejected, the 5th re-anchors. The silo's replay validated with the same settings as the symbol grain, so
    /// the grain never saw the 4 the feed dropped and rejected 4 more of the new level: 8 real bars lost instead of 4.
    /// </summary>
    [Fact]
    public async Task APriceGapInTheSilosReplay_IsReanchoredAfterTheDocumentedRejections_NotTwice()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(folder.Path, "minute", "GAP"));
        var rows = new List<string> { "time,open,high,low,close,volume" };
        var t0 = new DateTimeOffset(2013, 10, 7, 10, 0, 0, TimeSpan.FromHours(-4));
        for (var i = 0; i < 20; i++)
        {
            var price = i < 10 ? "100" : "150";
            rows.Add($"{t0.AddMinutes(i):yyyy-MM-ddTHH:mm:ss.fffzzz},{price},{price},{price},{price},100");
        }

        await File.WriteAllLinesAsync(Path.Combine(folder.Path, "minute", "GAP", "2013-10-07.trades.csv"), rows, TestContext.Current.CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Demo:Enabled"] = "false",
            ["Feed:Kind"] = "replay",
            ["Feed:Path"] = folder.Path,
            ["Feed:Speed"] = "0",
            ["Feed:Symbols:0"] = "GAP",
        });
        builder.AddOrleansTrader();
        using var host = builder.Build();
        var feed = host.Services.GetRequiredService<IMarketDataFeed>();

        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, TimeProvider.System, NullLogger<MarketFeedPump>.Instance);
        var ct = TestContext.Current.CancellationToken;
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(feed.GetHealth().State), s => s == FeedState.Completed, "the replay to end");
            var delivered = 20 - feed.GetHealth().RejectedByReason.Values.Sum();
            await Eventually.WaitAsync(
                () => cluster.Symbol("GAP").GetStatsAsync(), s => s.BarsPublished + s.RejectedByReason.Values.Sum() == delivered,
                "the symbol grain to receive every bar the replay delivered");
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        var bars = await cluster.Symbol("GAP").GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var stats = await cluster.Symbol("GAP").GetStatsAsync();
        Assert.Equal(
            [.. Enumerable.Range(0, 10).Concat(Enumerable.Range(14, 6)).Select(i => t0.AddMinutes(i))],
            bars.Select(b => b.Start));
        Assert.Equal(4, feed.GetHealth().RejectedByReason.Values.Sum() + stats.RejectedByReason.Values.Sum());
    }

    /// <summary>
    /// With MarketData:Validation:RejectSuspiciousPrints=false an operator takes the source's flagged prints as real:
    /// they are accepted as ticks and as the last trade, so they belong in the bars built from the trades too.
    /// </summary>
    [Fact]
    public async Task AFlaggedPrint_AcceptedByConfiguration_IsInTheBars()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<TickValidatorOptions>(o => o.RejectSuspiciousPrints = false),
        });
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("FLG");

        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades =
            [
                new TradeTick("FLG", t0.AddSeconds(10), 40m, 100m),
                new TradeTick("FLG", t0.AddSeconds(20), 40.5m, 300m, Suspicious: true),
                new TradeTick("FLG", t0.AddSeconds(70), 40.2m, 100m),
            ],
        });

        Assert.Equal(3, result.Accepted);
        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal((t0, 40m, 40.5m, 40.5m, 400m), (bar.Start, bar.Open, bar.High, bar.Close, bar.Volume));
    }

    /// <summary>
    /// "One per minute": a feed's bar of a minute whose bar already went out is a duplicate however late it comes (a feed
    /// that resends its bars after a reconnect), not a second bar of that minute on "bars".
    /// </summary>
    [Fact]
    public async Task AFeedBarOfAMinuteAlreadyPublished_LongAgo_IsNotPublishedAgain()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddHours(-3);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("LTE");
        var trades = Enumerable.Range(0, 71).Select(i => new TradeTick("LTE", t0.AddMinutes(i).AddSeconds(5), 40m, 100m)).ToList();
        Assert.Equal(71, (await symbol.IngestAsync(new TickBatch { Trades = trades })).Accepted);
        Assert.Equal(70, (await symbol.GetStatsAsync()).BarsPublished);

        var late = await symbol.IngestAsync(new TickBatch { Bars = [new Bar("LTE", t0, TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 100m, 1)] });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((0, 1), (late.Accepted, late.Rejected));
        Assert.Equal(70, stats.BarsPublished);
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("Duplicate"));
    }

    /// <summary>
    /// A print or quote stamped before the newest one arrives late (a late-reported trade, a replay row that goes back in
    /// time): it is still a valid tick, but the last trade and quote stay the newest by timestamp, or the marks and the
    /// order path's quote check would fall back to an older price.
    /// </summary>
    [Fact]
    public async Task ALateTradeOrQuote_DoesNotReplaceTheNewerLastTradeAndQuote()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        var symbol = cluster.Symbol("OOO");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("OOO", t0.AddSeconds(30), 40.5m, 100m)],
            Quotes = [new QuoteTick("OOO", t0.AddSeconds(30), 40.4m, 100m, 40.6m, 100m)],
        })).Accepted);

        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("OOO", t0.AddSeconds(5), 40m, 100m)],
            Quotes = [new QuoteTick("OOO", t0.AddSeconds(5), 39.9m, 100m, 40.1m, 100m)],
        })).Accepted);

        var quote = await symbol.GetQuoteAsync();
        Assert.Equal((t0.AddSeconds(30), 40.5m), (quote.LastTrade!.Timestamp, quote.LastTrade.Price));
        Assert.Equal((t0.AddSeconds(30), 40.4m), (quote.LastQuote!.Timestamp, quote.LastQuote.BidPrice));
    }

    /// <summary>
    /// The paper exchange's touch is the symbol's last quote: a late quote (stamped before it) given to the venue replaced
    /// its standing quote, and a market order filled at that older ask while the account had priced it at the last.
    /// </summary>
    [Fact]
    public async Task ALateQuote_DoesNotBecomeThePaperExchangesTouch()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow();
        var symbol = cluster.Symbol("LATEQ");
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Quotes = [new QuoteTick("LATEQ", now, 40.4m, 1000m, 40.6m, 1000m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Quotes = [new QuoteTick("LATEQ", now.AddSeconds(-20), 39.9m, 1000m, 40.1m, 1000m)] })).Accepted);
        Assert.Equal(40.6m, (await symbol.GetQuoteAsync()).LastQuote!.AskPrice);

        var ct = TestContext.Current.CancellationToken;
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("late-quote");
        await venue.SubmitOrderAsync(new OrderRequest { ClientOrderId = "lq-1", Symbol = "LATEQ", Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 10m }, ct);

        var execution = Assert.Single(await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, ct));
        Assert.Equal(40.6m, execution.Price);
    }

    /// <summary>
    /// A late-reported print happened at a price the market has left: given to the paper exchange, one 20 s older than the
    /// last trade triggered a sell stop resting below the market since, and the stop sold at the touch. A print still on
    /// its way (stamped within BarCloseDelay, 1 s, of the last trade) is the market's and triggers it.
    /// </summary>
    [Fact]
    public async Task ALateReportedPrint_DoesNotTriggerAPaperExchangeStop_APrintStillOnItsWayDoes()
    {
        // On a fake clock, so the cluster keeps the default BarCloseDelay.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var now = time.GetUtcNow();
        var symbol = cluster.Symbol("LATET");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("LATET", now, 40.5m, 100m)],
            Quotes = [new QuoteTick("LATET", now, 40.4m, 1000m, 40.6m, 1000m)],
        })).Accepted);
        var ct = TestContext.Current.CancellationToken;
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("late-print");
        var stop = await venue.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "lt-1", Symbol = "LATET", Side = OrderSide.Sell, Type = OrderType.Stop, StopPrice = 40m, Quantity = 10m, TimeInForce = TimeInForce.Gtc,
        }, ct);

        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("LATET", now.AddSeconds(-20), 39.9m, 100m)] })).Accepted);

        Assert.Equal(OrderStatus.Accepted, (await venue.GetOrderAsync(stop.OrderId, ct))!.Status);
        Assert.Empty(await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, ct));
        Assert.Equal(40.5m, (await symbol.GetQuoteAsync()).LastTrade!.Price);

        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("LATET", now.AddMilliseconds(-500), 39.95m, 100m)] })).Accepted);

        Assert.Equal((OrderStatus.Filled, 40.4m), ((await venue.GetOrderAsync(stop.OrderId, ct))!.Status, Assert.Single(await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, ct)).Price));
    }

    /// <summary>
    /// A tick stamped far ahead of the clock (a skewed or bad feed) must not hold the symbol's last trade and quote: the
    /// correctly stamped ticks after it, all "older", still replace it, or every order on the symbol stayed denied (its
    /// quote stamped in the future) until the clock caught up.
    /// </summary>
    [Fact]
    public async Task ATickStampedFarInTheFuture_IsReplacedByTheNextCorrectlyStampedOne()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow();
        var symbol = cluster.Symbol("FUT");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("FUT", now.AddHours(1), 40.5m, 100m)],
            Quotes = [new QuoteTick("FUT", now.AddHours(1), 40.4m, 100m, 40.6m, 100m)],
        })).Accepted);

        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("FUT", now, 40m, 100m)],
            Quotes = [new QuoteTick("FUT", now, 39.9m, 100m, 40.1m, 100m)],
        })).Accepted);

        var quote = await symbol.GetQuoteAsync();
        Assert.Equal((now, 40m), (quote.LastTrade!.Timestamp, quote.LastTrade.Price));
        Assert.Equal((now, 39.9m), (quote.LastQuote!.Timestamp, quote.LastQuote.BidPrice));
    }

    /// <summary>
    /// "One per minute, the first to arrive goes, the other counts as Duplicate": when the feed's bar of a minute goes out
    /// first, the bar its trades complete afterwards is the one left out, and it must be counted too, not dropped silently.
    /// </summary>
    [Fact]
    public async Task TheTradesBarOfAMinuteTheFeedsBarAlreadyPublished_IsCountedAsDuplicate()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("DPC");

        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("DPC", t0.AddSeconds(10), 40m, 100m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch
        {
            Bars = [new Bar("DPC", t0, TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 100m, 1)],
        })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("DPC", t0.AddSeconds(70), 40.1m, 100m)] })).Accepted);

        var stats = await symbol.GetStatsAsync();
        Assert.Equal(1, stats.BarsPublished);
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("Duplicate"));
    }

    /// <summary>
    /// The feed resends a bad print (a reconnect, a replay restarted): the copies are duplicates, counted as such, and the
    /// symbol's last trade stays the real one; before, the copies counted as consecutive out-of-band prices, the band
    /// re-anchored on the bad price and its last copy became the last trade.
    /// </summary>
    [Fact]
    public async Task CopiesOfABadPrint_AreCountedAsDuplicates_AndNeverBecomeTheLastTrade()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        var symbol = cluster.Symbol("BADC");
        var good = Enumerable.Range(1, 5).Select(i => new TradeTick("BADC", t0.AddSeconds(i), 40m, 100m, "P", SourceId: i)).ToList();
        Assert.Equal(5, (await symbol.IngestAsync(new TickBatch { Trades = good })).Accepted);

        var bad = new TradeTick("BADC", t0.AddSeconds(6), 80m, 100m, "P", SourceId: 6);
        var copies = await symbol.IngestAsync(new TickBatch { Trades = [.. Enumerable.Repeat(bad, 5)] });

        var stats = await symbol.GetStatsAsync();
        Assert.Equal((0, 5), (copies.Accepted, copies.Rejected));
        Assert.Equal(1, stats.RejectedByReason.GetValueOrDefault("OutsidePriceBand"));
        Assert.Equal(4, stats.RejectedByReason.GetValueOrDefault("Duplicate"));
        Assert.Equal(40m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
    }

    /// <summary>
    /// "Oldest first": a feed's bar of a minute the trades left empty may arrive after a later minute's bar went out (it is
    /// not a duplicate); the bars query still answers in time order, or a chart or a client taking the last bar as the
    /// newest got the older one.
    /// </summary>
    [Fact]
    public async Task TheBarsQuery_AnswersOldestFirst_WhenAFeedBarOfAnEarlierMinuteCameLate()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var now = TimeProvider.System.GetUtcNow().AddHours(-3);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("ORD");
        var trades = new[] { 0, 2, 3 }.Select(m => new TradeTick("ORD", t0.AddMinutes(m).AddSeconds(5), 40m, 100m)).ToList();
        Assert.Equal(3, (await symbol.IngestAsync(new TickBatch { Trades = trades })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch
        {
            Bars = [new Bar("ORD", t0.AddMinutes(1), TimeSpan.FromMinutes(1), 40m, 40m, 40m, 40m, 100m, 1)],
        })).Accepted);

        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), t0, t0.AddHours(1));

        Assert.Equal([t0, t0.AddMinutes(1), t0.AddMinutes(2)], bars.Select(b => b.Start));
    }

    /// <summary>
    /// Known answers for a replay's trades at a minute's and a second's edges: a print exactly on the minute opens the next
    /// bar and one a tick before stays in the last; a print slightly out of order inside its bar sets its open by time; a
    /// print of a bar already published is taken as a tick and left out of the bars; two prints sharing time, price and
    /// size with their own ids are both volume, a print sent again is a duplicate; minutes without prints have no bar.
    /// </summary>
    [Fact]
    public async Task TradesAtTheEdgesOfBars_GiveTheKnownBars()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var m = new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("EDGE");
        TradeTick Print(DateTimeOffset at, decimal price, decimal size, long id) => new("EDGE", at, price, size, "P", SourceId: id);

        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades =
            [
                Print(m.AddTicks(-1), 10m, 1m, 1), Print(m, 10.1m, 2m, 2), Print(m.AddSeconds(30), 10.2m, 3m, 3), Print(m.AddSeconds(10), 10.05m, 4m, 4),
                Print(m.AddMinutes(1).AddTicks(-1), 10.3m, 5m, 5), Print(m.AddMinutes(1), 10.4m, 6m, 6), Print(m.AddSeconds(59), 10m, 7m, 7),
                Print(m.AddMinutes(6), 10.5m, 8m, 8), Print(m.AddMinutes(6), 10.5m, 8m, 9), Print(m.AddMinutes(6), 10.5m, 8m, 9),
            ],
        });
        await symbol.CloseBarsAsync();

        Assert.Equal((9, 1), (result.Accepted, result.Rejected));
        Assert.Equal(1, (await symbol.GetStatsAsync()).RejectedByReason["Duplicate"]);
        var minutes = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(
            [
                (m.AddMinutes(-1), 10m, 10m, 10m, 10m, 1m, 1),
                (m, 10.1m, 10.3m, 10.05m, 10.3m, 14m, 4),
                (m.AddMinutes(1), 10.4m, 10.4m, 10.4m, 10.4m, 6m, 1),
                (m.AddMinutes(6), 10.5m, 10.5m, 10.5m, 10.5m, 16m, 2),
            ],
            minutes.Select(b => (b.Start, b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount)));

        // The print at :10 came after the :30 second's bar had opened: late for its second, not for its minute.
        var seconds = await symbol.GetBarsAsync(TimeSpan.FromSeconds(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(
            [(m.AddSeconds(-1), 1m), (m, 2m), (m.AddSeconds(30), 3m), (m.AddSeconds(59), 5m), (m.AddMinutes(1), 6m), (m.AddMinutes(6), 16m)],
            seconds.Select(b => (b.Start, b.Volume)));
        Assert.Equal(10.5m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
    }

    private sealed class ScriptedFeed : IMarketDataFeed
    {
        public TaskCompletionSource ReleaseTrade { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "scripted";

        public FeedHealth GetHealth() => throw new NotSupportedException();

        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var i = 0; i < 3; i++)
            {
                yield return new FeedStatusEvent(Name, FeedState.Degraded, TimeProvider.System.GetUtcNow(), "connection lost: connection limit exceeded", 406);
                await Task.Delay(20, cancellationToken);
            }

            await ReleaseTrade.Task.WaitAsync(cancellationToken);
            yield return new TradeEvent(new TradeTick("FRSH", TimeProvider.System.GetUtcNow(), 10m, 100m));
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
