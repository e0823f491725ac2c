using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Benchmarks.Runtime;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Strategies;

namespace OrleansTrader.Benchmarks.Trading;

/// <summary>
/// Backtests on the shared market-data files through the backtest grain, as <c>POST /api/backtests</c> and
/// <c>/api/backtests/sweep</c> run them: one SMA crossover over SPY's minute bars of 2013-10-07..11 (file read included),
/// and a 200-run sweep over the same bars (read once). Skipped where the shared data is absent.
/// </summary>
public sealed class BacktestBenchmarks : IBenchmarkSuite
{
    private static readonly DateTimeOffset End = new(2013, 10, 12, 0, 0, 0, TimeSpan.Zero);

    public string Name => "backtests";

    public IReadOnlyList<string> Scenarios { get; } = ["backtests.files", "backtests.sweep"];

    public async Task RunAsync(BenchmarkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = MarketDataFolder.Find(Path.Combine("minute", "SPY"));
        if (data is null)
        {
            foreach (var scenario in new[] { "backtests.files", "backtests.sweep" })
            {
                context.Report(new Dictionary<string, object?> { ["scenario"] = scenario, ["skipped"] = true, ["reason"] = "shared/data/market/minute/SPY not found" });
            }

            return;
        }

        var cluster = await TradingBenchCluster.StartAsync(null, configure: silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data));
        try
        {
            var grain = cluster.GrainFactory.GetGrain<IBacktestGrain>(0);
            var backtest = new RunBacktest
            {
                Kind = StrategyKinds.SmaCrossover,
                Symbols = ["SPY"],
                Source = BacktestSource.Files,
                Bars = RunBacktest.MaxFileBars,
                End = End,
                Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "5", ["slowPeriod"] = "30" },
            };

            // A warm-up run each, so the figures are of compiled code and a warm file cache.
            var warm = await grain.RunAsync(backtest);
            if (!warm.Succeeded)
            {
                throw new InvalidOperationException($"The backtest failed: {warm.Message}");
            }

            if (context.Wants("backtests.files"))
            {
                await SingleAsync(context, grain, backtest, warm.Report!.Symbols[0].Bars);
            }

            if (context.Wants("backtests.sweep"))
            {
                await SweepAsync(context, grain, backtest with { Parameters = new Dictionary<string, string> { ["quantity"] = "10" } });
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task SingleAsync(BenchmarkContext context, IBacktestGrain grain, RunBacktest backtest, int bars)
    {
        var samples = new List<long>();
        for (var i = 0; i < (context.Quick ? 10 : 50); i++)
        {
            var started = Stopwatch.GetTimestamp();
            var run = await grain.RunAsync(backtest);
            samples.Add(Stopwatch.GetTimestamp() - started);
            if (!run.Succeeded)
            {
                // A failed run returns early; timing it would report a backtest faster than any that ran.
                throw new InvalidOperationException($"Backtest {i} failed: {run.Message}");
            }
        }

        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "backtests.files",
            ["bars"] = bars,
            ["runs"] = samples.Count,
            ["p50_ms"] = Math.Round(Percentiles.Microseconds(samples, 0.5)!.Value / 1000, 2),
            ["p99_ms"] = Math.Round(Percentiles.Microseconds(samples, 0.99)!.Value / 1000, 2),
        });
    }

    private static async Task SweepAsync(BenchmarkContext context, IBacktestGrain grain, RunBacktest backtest)
    {
        // 10 fast by 20 slow periods: 200 runs, every one valid.
        var sweep = new RunBacktestSweep
        {
            Backtest = backtest,
            Grid = new Dictionary<string, IReadOnlyList<string>>
            {
                ["fastPeriod"] = [.. Enumerable.Range(2, 10).Select(p => $"{p}")],
                ["slowPeriod"] = [.. Enumerable.Range(0, 20).Select(i => $"{15 + (i * 20)}")],
            },
        };
        var samples = new List<long>();
        var runs = 0;
        var bars = 0;
        for (var i = 0; i < (context.Quick ? 2 : 5); i++)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await grain.SweepAsync(sweep);
            samples.Add(Stopwatch.GetTimestamp() - started);
            runs = answer.Report?.Runs.Count ?? throw new InvalidOperationException($"The sweep failed: {answer.Message}");
            bars = answer.Report.Symbols[0].Bars;
        }

        var median = Percentiles.Microseconds(samples, 0.5)!.Value / 1_000_000;
        context.Report(new Dictionary<string, object?>
        {
            ["scenario"] = "backtests.sweep",
            ["bars"] = bars,
            ["runs"] = runs,
            ["sweeps"] = samples.Count,
            ["p50_seconds"] = Math.Round(median, 3),
            ["bar_steps_per_sec"] = Math.Round(runs * (double)bars / median),
        });
    }
}
