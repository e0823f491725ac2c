using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// ticks.replay: every SPY trade tick of the shared data (one day with --quick) through one SymbolGrain to 10 strategy
/// grains. Ticks are parsed before the clock starts. <c>ticks_per_sec</c> is end to end: the clock stops when every
/// strategy has seen every accepted tick and every published bar; <c>ingest_ticks_per_sec</c> is the SymbolGrain's
/// ingestion alone. A run that dropped stream events (<c>dropped</c> &gt; 0) does not count. Two passes: "cold" (the
/// first in the process) and "warm" (again, on a new cluster, once the JIT has optimized the hot path).
/// </summary>
internal sealed class TickBenchmarks : IBenchmarkSuite
{
    private const int Strategies = 10;
    private const int Batch = 2048;
    private const int SiloMemoryQueueCapacity = 16_384;

    public string Name => "ticks";

    public IReadOnlyList<string> Scenarios { get; } = ["ticks.replay"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = MarketDataFolder.Find(Path.Combine("ticks", "SPY"));
        if (data is null)
        {
            context.Report(new Dictionary<string, object?> { ["scenario"] = "ticks.replay", ["skipped"] = true, ["reason"] = "shared/data/market/ticks/SPY not found" });
            return;
        }

        var (first, last) = MarketDataFolder.SpyTickDays(context.Quick);
        if (MarketDataFolder.MissingTradeDays(Path.Combine(data, "ticks", "SPY"), first, last) is { Count: > 0 } missing)
        {
            context.Report(new Dictionary<string, object?> { ["scenario"] = "ticks.replay", ["error"] = $"no SPY trades file for {string.Join(", ", missing)}" });
            return;
        }

        var options = new CsvReplayOptions
        {
            DataPath = data, SpeedFactor = 0, Validate = false, StartDate = first, EndDate = last,
        };
        options.Symbols.Add("SPY");
        options.Kinds.Add(CsvFileKind.TradeTicks);
        var trades = new List<TradeTick>();
        await foreach (var item in new CsvReplayFeed(null, options, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance).ReadAsync(CancellationToken.None))
        {
            if (item is TradeEvent trade)
            {
                trades.Add(trade.ToTick());
            }
        }

        // The first pass runs in a fresh process (tier-0 JIT code until the hot methods are recompiled); the second runs the
        // same replay through a new cluster and new grains in the warmed-up process, as a long-running silo would.
        await RunPassAsync(context, trades, "cold");
        await RunPassAsync(context, trades, "warm");
    }

    private static async Task RunPassAsync(BenchmarkContext context, List<TradeTick> trades, string pass)
    {
        // The memory stream queue is bounded as in the silo's own configuration (TradingHostExtensions): a replay that
        // outruns delivery shows up as dropped events.
        await using var cluster = await TradingBenchCluster.StartAsync(null, forwardToPaper: false, memoryQueueCapacity: SiloMemoryQueueCapacity);
        var client = cluster.Client;
        var strategies = new List<IStrategyGrain>();
        for (var i = 0; i < Strategies; i++)
        {
            var strategy = client.GetGrain<IStrategyGrain>(StrategyKey.Create("tick-bench", $"s{i}"));
            await strategy.CreateAsync(new CreateStrategy
            {
                Kind = StrategyKinds.SmaCrossover,
                Symbols = ["SPY"],
                Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "10", ["slowPeriod"] = "30" },
                Start = true,
            });
            strategies.Add(strategy);
        }

        var memory = (MemoryStreamProvider)client.GetStreamProvider(StreamNames.MemoryProvider);
        var droppedBefore = memory.DroppedEventCount;
        var symbol = client.GetGrain<ISymbolGrain>("SPY");
        var ticksStream = StreamId.Create(StreamNames.Ticks, "SPY");
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long accepted = 0;
        for (var i = 0; i < trades.Count; i += Batch)
        {
            var result = await symbol.IngestAsync(new TickBatch { Trades = trades.GetRange(i, Math.Min(Batch, trades.Count - i)) });
            accepted += result.Accepted;

            // Flow control, as a replay feed does: no more than half the queue waits, so the replay runs as fast as the
            // strategies consume instead of overflowing the bounded queue.
            await memory.WaitForQueueBelowAsync(ticksStream, SiloMemoryQueueCapacity / 2);
        }

        var ingestSeconds = clock.Elapsed.TotalSeconds;
        var stats = await symbol.GetStatsAsync();
        long seen = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            seen = 0;
            var complete = true;
            foreach (var strategy in strategies)
            {
                var status = (await strategy.GetStatusAsync())!;
                seen += status.TicksSeen + status.BarsSeen;
                complete &= status.TicksSeen >= accepted && status.BarsSeen >= stats.BarsPublished;
            }

            if (complete)
            {
                break;
            }

            await Task.Delay(5);
        }

        var totalSeconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var dropped = memory.DroppedEventCount - droppedBefore;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "ticks.replay",
            ["pass"] = pass,
            ["days"] = context.Quick ? 1 : 5,
            ["ticks"] = trades.Count,
            ["accepted"] = accepted,
            ["rejected_by_reason"] = stats.RejectedByReason,
            ["strategies"] = Strategies,
            ["complete"] = accepted > 0 && seen == (accepted + stats.BarsPublished) * Strategies,
            ["queue_capacity"] = SiloMemoryQueueCapacity,
            ["dropped"] = dropped,
            ["ingest_seconds"] = Math.Round(ingestSeconds, 2),
            ["ingest_ticks_per_sec"] = Math.Round(trades.Count / ingestSeconds),
            ["seconds"] = Math.Round(totalSeconds, 2),
            ["ticks_per_sec"] = Math.Round(trades.Count / totalSeconds),
            ["strategy_events"] = seen,
            ["strategy_events_per_sec"] = Math.Round(seen / totalSeconds),
            ["cpu_seconds"] = Math.Round(cpuSeconds, 2),
            ["cpu_us_per_tick"] = Math.Round(cpuSeconds * 1e6 / trades.Count, 2),
            ["gc_collections"] = $"{GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}",
            ["allocated_bytes_per_tick"] = Math.Round((double)allocated / trades.Count),
            ["peak_working_set_mb"] = Math.Round(process.PeakWorkingSet64 / 1024.0 / 1024.0, 1),
        });
    }
}
