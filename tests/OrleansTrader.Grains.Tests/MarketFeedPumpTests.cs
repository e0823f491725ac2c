using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

public sealed class MarketFeedPumpTests
{
    /// <summary>The time of the first row <see cref="WriteTradeRowsAsync"/> writes.</summary>
    private static readonly DateTimeOffset FirstRowAt = new(2013, 10, 7, 14, 0, 0, TimeSpan.Zero);

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

    /// <summary>
    /// A replayed file that breaks part-way (a corrupt gzip) breaks at the same row every time: a replay started again
    /// delivers the rows before it once more (ticks to the strategies, trades to the paper exchange) and fails again, in
    /// a loop. The replay stops instead, its health Degraded with the reason.
    /// </summary>
    [Fact]
    public async Task AReplayThatBreaksOnACorruptFile_StopsInsteadOfDeliveringItsRowsAgain()
    {
        using var folder = new TempDirectory();
        var file = folder.File("2013-10-07.trades.csv.gz");
        var rows = new StringBuilder("time,price,size,exchange,condition,suspicious\n");
        var t0 = new DateTimeOffset(2013, 10, 7, 14, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 1_500; i++)
        {
            rows.Append(FirstRowAt.AddMilliseconds(100 * i).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))
                .Append(',').Append((167m + ((i % 50) / 100m)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",100,P,0,0\n");
        }

        await using (var gzip = new GZipStream(File.Create(file), CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(rows.ToString()), TestContext.Current.CancellationToken);
        }

        // After the rows, bytes that are not gzip: the reader fails once it has read every row.
        await using (var tail = new FileStream(file, FileMode.Append))
        {
            byte[] junk = [0x1f, 0x8b, 0x08, 0x00, .. Encoding.ASCII.GetBytes("garbage-garbage-garbage")];
            for (var i = 0; i < 4; i++)
            {
                await tail.WriteAsync(junk, TestContext.Current.CancellationToken);
            }
        }

        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var feed = new CsvReplayFeed([new CsvSource(file, "BRK", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var log = new PumpLog();
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, time, log);
        await pump.StartAsync(ct);
        try
        {
            // The clock moves, so a restart's backoff would pass.
            await Eventually.WaitAsync(
                async () => (Stopped: log.Messages.Any(m => m.Contains("cannot be replayed", StringComparison.Ordinal)), (await cluster.Symbol("BRK").GetStatsAsync()).AcceptedTrades),
                s => s.Stopped || s.AcceptedTrades > 1_500, "the replay to stop at the corrupt file", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        // Every row before the break, once, the last one included.
        Assert.Equal(1_500, (await cluster.Symbol("BRK").GetStatsAsync()).AcceptedTrades);
        Assert.Equal(FeedState.Degraded, feed.GetHealth().State);

        // Readiness, which the silo asks (not the feed's own health), says so with the reason: it said "last data ... ago"
        // (Healthy) until Feed:StaleAfterSeconds had passed, then "stale", and on a closed market "Healthy" for good.
        var readiness = await new FeedHealthCheck(pump, time, TimeSpan.FromSeconds(30), AlwaysOpenCalendar.Instance, FeedHours.ExtendedSession)
            .CheckHealthAsync(new HealthCheckContext(), ct);
        Assert.Equal(HealthStatus.Degraded, readiness.Status);
        Assert.StartsWith("Feed csv-replay stopped after ", readiness.Description, StringComparison.Ordinal);
        Assert.Contains("a file cannot be replayed", readiness.Description, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(file), readiness.Description, StringComparison.Ordinal);
    }


    /// <summary>
    /// A replay that has delivered its last row is done, not stale: readiness says so (FeedHealthCheck), and the global
    /// breaker's stale-data trigger, which readiness is judged like, must agree. Judged by the end's age, the breaker
    /// tripped every account to REDUCING a minute after a replay finished normally, and stayed there until a risk reset.
    /// </summary>
    [Fact]
    public async Task AReplayThatEnded_DoesNotTripTheGlobalBreakersStaleDataTrigger()
    {
        using var folder = new TempDirectory();
        var file = await WriteTradeRowsAsync(folder, 100);
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var feed = new CsvReplayFeed([new CsvSource(file, "BRK", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, time, new PumpLog());
        var global = cluster.Breaker(BreakerKeys.Global);
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(pump.ReplayEnded), ended => ended, "the replay to end");

            // Two minutes after the end (the breaker's stale-data limit is one), a second at a time for the heartbeat.
            var endedAt = time.GetUtcNow();
            await Eventually.WaitAsync(
                () => Task.FromResult(time.GetUtcNow() - endedAt),
                since => since >= TimeSpan.FromMinutes(2), "two minutes to pass after the end", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
            var evaluated = await global.EvaluateAsync();
            Assert.True(evaluated.State == TradingState.Active, $"global breaker {evaluated.State}: {evaluated.LastReason}");
        }
        finally
        {
            await pump.StopAsync(ct);
        }
    }

    /// <summary>
    /// The pump reports freshness to the global breaker every second: while the report failed (the breaker's storage
    /// failing its writes) it logged a warning a second, for as long as it lasted. It warns when the failures begin, logs
    /// the repeats at Debug, and says once, when a report goes through, how many failed.
    /// </summary>
    [Fact]
    public async Task FreshnessReportsThatKeepFailing_WarnOnce_LogTheRepeatsAtDebug_AndTheCountWhenOneSucceeds()
    {
        using var folder = new TempDirectory();
        var file = await WriteTradeRowsAsync(folder, 10);
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var storage = new WriteFailingStorage("breaker") { FailAll = true };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
        });
        var feed = new CsvReplayFeed([new CsvSource(file, "BRK", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var log = new PumpLog();
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, time, log);
        await pump.StartAsync(ct);
        try
        {
            // The breaker's first report is written (and fails): five heartbeats, a second apart.
            await Eventually.WaitAsync(() => Task.FromResult(log.Entries.Count(e => e.Id is 5504 or 5508)), failed => failed >= 5,
                "five failed freshness reports", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
            // Ten heartbeats at most after the storage recovers: the first of them goes through.
            storage.FailAll = false;
            var recoveredAt = time.GetUtcNow();
            await Eventually.WaitAsync(() => Task.FromResult((Logged: log.Entries.Any(e => e.Id == 5509), Since: time.GetUtcNow() - recoveredAt)),
                r => r.Logged || r.Since >= TimeSpan.FromSeconds(10), "a freshness report to go through", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        var lines = log.Entries.Where(e => e.Id is 5504 or 5508 or 5509).ToList();
        var failures = lines.Count - 1;
        string[] expected = ["5504 Warning", .. Enumerable.Repeat("5508 Debug", failures - 1), "5509 Information"];
        Assert.Equal(expected, lines.Select(e => $"{e.Id} {e.Level}"));
        Assert.Contains("The disk is full (test).", lines[0].Exception, StringComparison.Ordinal);
        Assert.StartsWith($"Market data freshness reached the global breaker again, after {failures} failed reports over ", lines[^1].Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// In the silo the replay runs with validation off and the symbol grains validate: the feed's own summary says
    /// "0 rejected" while the grains may have refused every row. The shared BAC quote ticks are all one-sided (a row per
    /// side), so a replay of them gave no quote at all, and nothing a user could see said why. The end of the replay
    /// now logs what each symbol grain took in and refused, by reason.
    /// </summary>
    [Fact]
    public async Task AReplayThatEnded_LogsTheRowsEachSymbolGrainRefused_ByReason()
    {
        using var folder = new TempDirectory();
        var file = folder.File("2013-10-07.quotes.csv");
        var rows = new StringBuilder("time,bid,bid_size,ask,ask_size,exchange,condition,suspicious\n");
        for (var i = 0; i < 10; i++)
        {
            var at = FirstRowAt.AddMilliseconds(100 * i).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
            rows.Append(at).Append(i % 2 == 0 ? ",14.2,100,0,0,N,1,0\n" : ",0,0,14.21,300,N,1,0\n");
        }

        var ct = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(file, rows.ToString(), ct);
        var time = new FakeTimeProvider();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        // As the silo runs it: the replay does not validate, the symbol grain does.
        var feed = new CsvReplayFeed([new CsvSource(file, "ONE", CsvFileKind.QuoteTicks)], new CsvReplayOptions { Validate = false }, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var log = new PumpLog();
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, time, log);
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(
                () => Task.FromResult(log.Messages.FirstOrDefault(m => m.Contains("ONE", StringComparison.Ordinal) && m.Contains("refused", StringComparison.Ordinal))),
                line => line is not null, "the replay's summary of symbol ONE");
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        var summary = log.Messages.Single(m => m.Contains("ONE", StringComparison.Ordinal) && m.Contains("refused", StringComparison.Ordinal));
        Assert.Contains("0 quotes", summary, StringComparison.Ordinal);
        Assert.Contains("10 rows refused (OneSidedQuote 10)", summary, StringComparison.Ordinal);
    }

    /// <summary>
    /// A replay that fails for a reason other than its file (a symbol grain call timed out) is started again by the pump.
    /// Started from its first row, it would send every row before the failure again: past the symbol grain's duplicate
    /// window (the last 1,024 keys) they go out again as ticks, to the strategies and the paper exchange. It resumes after
    /// the last batch the symbol grain took in instead.
    /// </summary>
    [Fact]
    public async Task AReplayWhoseIngestFailsOnce_ResumesAfterTheRowsTheSymbolGrainTookIn()
    {
        const int Rows = 10_000;
        using var folder = new TempDirectory();
        var file = await WriteTradeRowsAsync(folder, Rows);

        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var failSecondIngest = new FailSecondIngest();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(failSecondIngest),
        });

        // More rows than one pump batch (4,096): the first batch goes in, the second fails once.
        var log = await ReplayToTheEndAsync(cluster, file, time, ct);

        Assert.Contains(log.Messages, m => m.Contains("failed; restarting", StringComparison.Ordinal));
        Assert.Equal(1, failSecondIngest.Failed);
        Assert.Equal(1, failSecondIngest.TimesIngested(FirstRowAt));
        Assert.Equal(Rows, failSecondIngest.TradesIngested);
        var stats = await cluster.Symbol("BRK").GetStatsAsync();
        Assert.Equal(Rows, stats.AcceptedTrades);
    }

    /// <summary>
    /// A batch of two symbols whose call to one symbol grain fails while the other's goes in: the replay resumes after the
    /// rows both took in, and the rows of the failed batch that one of them has are not sent to it again.
    /// </summary>
    [Fact]
    public async Task AReplayWhoseIngestFailsForOneSymbolOnly_SendsTheOtherSymbolsRowsOnce()
    {
        const int Rows = 6_000;
        using var folder = new TempDirectory();
        var t0 = new DateTimeOffset(2013, 10, 7, 14, 0, 0, TimeSpan.Zero);
        var sources = new List<CsvSource>();
        foreach (var (symbol, offset) in new[] { ("AAA", 0), ("BBB", 50) })
        {
            var file = folder.File($"{symbol}.trades.csv");
            var rows = new StringBuilder("time,price,size,exchange,condition,suspicious\n");
            for (var i = 0; i < Rows; i++)
            {
                rows.Append(t0.AddMilliseconds((100 * i) + offset).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(',').Append((167m + ((i % 50) / 100m)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",100,P,0,0\n");
            }

            await File.WriteAllTextAsync(file, rows.ToString(), TestContext.Current.CancellationToken);
            sources.Add(new CsvSource(file, symbol, CsvFileKind.TradeTicks));
        }

        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var failSecondIngest = new FailSecondIngest("BBB");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(failSecondIngest),
        });

        // The rows interleave, so each pump batch (4,096) holds about 2,048 of each symbol: more than the duplicate window.
        var feed = new CsvReplayFeed(sources, new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, time, new PumpLog());
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(
                () => Task.FromResult(pump.ReplayEnded),
                ended => ended, "the replay to end after its restart", tick: () => time.Advance(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        Assert.Equal(1, failSecondIngest.Failed);
        foreach (var symbol in new[] { "AAA", "BBB" })
        {
            var times = failSecondIngest.Ingested.Where(t => t.Symbol == symbol).Select(t => t.Time).ToList();
            Assert.Equal(Rows, times.Count);
            Assert.Equal(Rows, times.Distinct().Count());
            Assert.Equal(Rows, (await cluster.Symbol(symbol).GetStatsAsync()).AcceptedTrades);
        }
    }

    /// <summary>
    /// A symbol grain call that times out while the grain runs it is not withdrawn: the grain takes the batch in all the
    /// same. The pump asks the grain how far it got instead of sending the batch again on the restart, whose older rows
    /// would pass the duplicate window (the last 1,024 keys) and count twice: in the trades, the bars' volume, the ticks.
    /// </summary>
    [Fact]
    public async Task AReplayWhoseIngestTimesOutWhileTheGrainRunsIt_DoesNotSendThatBatchAgain()
    {
        const int Rows = 10_000;
        using var folder = new TempDirectory();
        var file = await WriteTradeRowsAsync(folder, Rows);

        var ct = TestContext.Current.CancellationToken;
        var responseTimeout = TimeSpan.FromSeconds(30);
        var siloTime = new FakeTimeProvider();
        var timeOutSecondIngest = new TimeOutSecondIngest(siloTime, responseTimeout + TimeSpan.FromSeconds(1));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = siloTime,
            ConfigureSilo = silo =>
            {
                silo.Configure<SiloOptions>(o => o.ResponseTimeout = responseTimeout);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(timeOutSecondIngest);
            },
        });

        // More rows than two pump batches (4,096 each): the second call times out while the grain runs it.
        var log = await ReplayToTheEndAsync(cluster, file, new FakeTimeProvider(), ct);

        Assert.Equal(1, timeOutSecondIngest.TimedOut);
        Assert.Contains("did not respond within", Assert.IsType<TimeoutException>(Assert.Single(log.Failures)).Message, StringComparison.Ordinal);
        Assert.Equal(Rows, (await cluster.Symbol("BRK").GetStatsAsync()).AcceptedTrades);
        var bars = await cluster.Symbol("BRK").GetBarsAsync(TimeSpan.FromMinutes(1), FirstRowAt, FirstRowAt.AddDays(1));
        Assert.Equal(Rows * 100m, bars.Sum(b => b.Volume));
        var times = timeOutSecondIngest.Ingested.Select(t => t.Time).ToList();
        Assert.Equal(Rows, times.Count);
        Assert.Equal(Rows, times.Distinct().Count());
    }

    private sealed class PumpLog : ILogger<MarketFeedPump>
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        /// <summary>The exceptions the pump logged its failures with.</summary>
        public ConcurrentQueue<Exception> Failures { get; } = new();

        /// <summary>Every line with its event id, level and exception, in order.</summary>
        public ConcurrentQueue<(int Id, LogLevel Level, string Message, string Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Messages.Enqueue(formatter(state, exception));
            Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception), exception?.ToString() ?? ""));
            if (exception is not null && eventId.Id == 5503)
            {
                Failures.Enqueue(exception);
            }
        }
    }

    /// <summary>
    /// Fails the second call that brings trades to a symbol grain (to <paramref name="symbol"/>'s, when given), before the
    /// grain sees it (a call timing out), and records every trade the symbol grains took in.
    /// </summary>
    private sealed class FailSecondIngest(string? symbol = null) : IIncomingGrainCallFilter
    {
        private readonly ConcurrentQueue<(string Symbol, DateTimeOffset Time)> _ingested = new();
        private int _calls;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public int TradesIngested => _ingested.Count;

        public int TimesIngested(DateTimeOffset tradeTime) => _ingested.Count(t => t.Time == tradeTime);

        public IEnumerable<(string Symbol, DateTimeOffset Time)> Ingested => _ingested;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (TradesOf(context) is { } batch)
            {
                if ((symbol is null || batch.Trades[0].Symbol == symbol) && Interlocked.Increment(ref _calls) == 2)
                {
                    Interlocked.Increment(ref _failed);
                    throw new TimeoutException("injected: the symbol grain call timed out");
                }

                await context.Invoke();
                foreach (var trade in batch.Trades)
                {
                    _ingested.Enqueue((trade.Symbol, trade.Timestamp));
                }

                return;
            }

            await context.Invoke();
        }
    }

    /// <summary>
    /// Makes the second call that brings a symbol grain trades time out while the grain runs it: the silo's clock is moved
    /// past the response timeout before the grain sees the batch. Records every trade that reached the symbol grain, so a
    /// batch sent again shows even when the duplicate window would have caught it (how many rows a batch holds depends on
    /// how far the file's reader is ahead of the pump).
    /// </summary>
    private sealed class TimeOutSecondIngest(FakeTimeProvider siloTime, TimeSpan pastResponseTimeout) : IIncomingGrainCallFilter
    {
        private readonly ConcurrentQueue<(string Symbol, DateTimeOffset Time)> _ingested = new();
        private int _calls;
        private int _timedOut;

        public int TimedOut => Volatile.Read(ref _timedOut);

        public IEnumerable<(string Symbol, DateTimeOffset Time)> Ingested => _ingested;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (TradesOf(context) is not { } batch)
            {
                await context.Invoke();
                return;
            }

            if (Interlocked.Increment(ref _calls) == 2)
            {
                // The runtime's timeout check fails the caller on this thread; the turn goes on.
                Interlocked.Increment(ref _timedOut);
                siloTime.Advance(pastResponseTimeout);
            }

            await context.Invoke();
            foreach (var trade in batch.Trades)
            {
                _ingested.Enqueue((trade.Symbol, trade.Timestamp));
            }
        }
    }

    /// <summary>
    /// Replays the trade file as symbol BRK through a pump on <paramref name="pumpTime"/> until the replay has ended, moving
    /// that clock so a restart's backoff passes; answers what the pump logged.
    /// </summary>
    private static async Task<PumpLog> ReplayToTheEndAsync(TradingCluster cluster, string file, FakeTimeProvider pumpTime, CancellationToken ct)
    {
        var feed = new CsvReplayFeed([new CsvSource(file, "BRK", CsvFileKind.TradeTicks)], new CsvReplayOptions(), new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var log = new PumpLog();
        var pump = new MarketFeedPump(feed, cluster.Cluster.Client, pumpTime, log);
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(
                () => Task.FromResult(pump.ReplayEnded),
                ended => ended, "the replay to end after its restart", tick: () => pumpTime.Advance(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            await pump.StopAsync(ct);
        }

        return log;
    }

    /// <summary>A day's trade file of <paramref name="count"/> rows, 100 ms apart, prices cycling over 50 cents.</summary>
    internal static async Task<string> WriteTradeRowsAsync(TempDirectory folder, int count)
    {
        var file = folder.File("2013-10-07.trades.csv");
        var rows = new StringBuilder("time,price,size,exchange,condition,suspicious\n");
        for (var i = 0; i < count; i++)
        {
            rows.Append(FirstRowAt.AddMilliseconds(100 * i).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))
                .Append(',').Append((167m + ((i % 50) / 100m)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",100,P,0,0\n");
        }

        await File.WriteAllTextAsync(file, rows.ToString(), TestContext.Current.CancellationToken);
        return file;
    }

    /// <summary>The batch of an ingest call that brings trades; null for any other call.</summary>
    private static TickBatch? TradesOf(IIncomingGrainCallContext context) =>
        context.MethodName == nameof(ISymbolGrain.IngestAsync)
        && context.Request.GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .Select(field => field.GetValue(context.Request)).OfType<TickBatch>().FirstOrDefault() is { Trades.Count: > 0 } batch
            ? batch
            : null;
}
