using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.Benchmarks;

/// <summary>
/// Market data throughput: CSV tick replay (real SPY trades of one day, when the shared data is present), the
/// validator alone, and the synthetic generator. Memory is reported before and after to show replay streams.
/// </summary>
public sealed class MarketDataBenchmarks : IBenchmarkSuite
{
    public string Name => "marketdata";

    public IReadOnlyList<string> Scenarios { get; } = ["csv-replay-spy-ticks", "csv-replay-spy-ticks-validated", "validator-trades", "synthetic-unpaced"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var validate in new[] { false, true })
        {
            if (context.Wants(validate ? "csv-replay-spy-ticks-validated" : "csv-replay-spy-ticks"))
            {
                await CsvReplayAsync(context, validate);
            }
        }

        if (context.Wants("validator-trades"))
        {
            Validator(context);
        }

        if (context.Wants("synthetic-unpaced"))
        {
            await SyntheticAsync(context);
        }
    }

    private static async Task CsvReplayAsync(BenchmarkContext context, bool validate)
    {
        var scenario = validate ? "csv-replay-spy-ticks-validated" : "csv-replay-spy-ticks";
        var root = MarketDataFolder.Find(Path.Combine("ticks", "SPY"));
        if (root is null)
        {
            context.Report(new Dictionary<string, object?> { ["scenario"] = scenario, ["skipped"] = true, ["reason"] = "shared/data/market/ticks/SPY not found" });
            return;
        }

        var (first, last) = MarketDataFolder.SpyTickDays(context.Quick);
        if (MarketDataFolder.MissingTradeDays(Path.Combine(root, "ticks", "SPY"), first, last) is { Count: > 0 } missing)
        {
            context.Report(new Dictionary<string, object?> { ["scenario"] = scenario, ["error"] = $"no SPY trades file for {string.Join(", ", missing)}" });
            return;
        }

        var options = new CsvReplayOptions
        {
            DataPath = root,
            Symbols = { "SPY" },
            Kinds = { CsvFileKind.TradeTicks },
            StartDate = first,
            EndDate = last,
            Validate = validate,
        };
        var feed = new CsvReplayFeed(null, options, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: false);
        var peak = memoryBefore;
        long events = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var marketEvent in feed.ReadAsync(CancellationToken.None))
        {
            if (++events % 100_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        watch.Stop();
        var health = feed.GetHealth();
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = scenario,
            ["rows_delivered"] = health.EventsDelivered,
            ["rejected"] = health.TotalRejected,
            ["complete"] = health.EventsDelivered + health.TotalRejected > 0,
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3),
            ["rows_per_sec"] = Math.Round((health.EventsDelivered + health.TotalRejected) / watch.Elapsed.TotalSeconds),
            ["heap_mb_before"] = Math.Round(memoryBefore / 1048576.0, 1),
            ["heap_mb_peak_sampled"] = Math.Round(peak / 1048576.0, 1),
        });
    }

    private static void Validator(BenchmarkContext context)
    {
        var count = context.Quick ? 1_000_000 : 5_000_000;
        var validator = new TickValidator();
        var start = new DateTimeOffset(2026, 1, 5, 14, 30, 0, TimeSpan.Zero);
        var trades = new TradeTick[1024];
        for (var i = 0; i < trades.Length; i++)
        {
            trades[i] = new TradeTick("SPY", start.AddTicks(i), 100m + (i % 50 * 0.01m), 100m, "P");
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            validator.ValidateTrade(trades[i % trades.Length], sourceId: i);
        }

        watch.Stop();
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "validator-trades",
            ["trades"] = count,
            ["accepted"] = validator.GetCounters().Accepted,
            ["trades_per_sec"] = Math.Round(count / watch.Elapsed.TotalSeconds),
        });
    }

    private static async Task SyntheticAsync(BenchmarkContext context)
    {
        var options = new SyntheticFeedOptions { Seed = 1, Paced = false, MaxSteps = context.Quick ? 100_000 : 1_000_000 };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA" });
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "BBB", StartPrice = 20m, Volatility = 0.5 });
        var feed = new SyntheticFeed(options, TimeProvider.System, NullLogger.Instance);
        long events = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var marketEvent in feed.ReadAsync(CancellationToken.None))
        {
            events++;
        }

        watch.Stop();
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "synthetic-unpaced",
            ["events"] = events,
            ["events_per_sec"] = Math.Round(events / watch.Elapsed.TotalSeconds),
        });
    }
}
