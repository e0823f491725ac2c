using System.Diagnostics;
using OrleansTrader.Benchmarks;
using OrleansTrader.Benchmarks.Runtime;

namespace OrleansTrader.Runtime.Tests;

/// <summary>The benchmark harness's own logic: a run that did less work, or a mistyped command line, must not pass as figures.</summary>
public sealed class BenchmarkHarnessTests
{
    [Fact]
    public void Percentiles_of_no_samples_are_null_not_zero()
    {
        Assert.Null(Percentiles.Microseconds([], 0.99));
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank_even_where_q_times_n_is_not_exact_in_doubles()
    {
        // 0.07 · 100 is 7.000000000000001 in doubles: the 7th sample, not the 8th.
        var samples = Enumerable.Range(1, 100).Select(i => i * Stopwatch.Frequency / 1_000_000).ToList();

        Assert.Equal(7.0, Percentiles.Microseconds(samples, 0.07));
        Assert.Equal(1.0, Percentiles.Microseconds(samples, 0.0));
        Assert.Equal(100.0, Percentiles.Microseconds(samples, 1.0));
    }

    [Fact]
    public void A_report_with_complete_false_an_error_or_dropped_events_fails_the_run()
    {
        var context = new BenchmarkContext(quick: true, TextWriter.Null);
        context.Report(new Dictionary<string, object?> { ["scenario"] = "a", ["complete"] = true, ["dropped"] = 0L });
        context.Report(new Dictionary<string, object?> { ["scenario"] = "b", ["complete"] = false });
        context.Report(new Dictionary<string, object?> { ["scenario"] = "c", ["error"] = "no data" });
        context.Report(new Dictionary<string, object?> { ["scenario"] = "d", ["dropped"] = 3L });
        context.Report(new Dictionary<string, object?> { ["scenario"] = "e", ["skipped"] = true, ["reason"] = "no data" });

        Assert.Equal(["b", "c", "d"], context.Failures.Select(f => f.Split(':')[0]));
    }

    [Theory]
    [InlineData("orders --quik")]
    [InlineData("orders --only")]
    [InlineData("orders --only --quick")]
    [InlineData("orders --only order.memory")]
    [InlineData("orders ticks")]
    [InlineData("order")]
    [InlineData("")]
    public void A_bad_command_line_is_an_error_not_a_different_run(string commandLine)
    {
        var parsed = BenchmarkArguments.Parse(Split(commandLine), BenchmarkSuites.All, out var error);

        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void The_documented_command_lines_parse()
    {
        var parsed = BenchmarkArguments.Parse(Split("orders --quick --only orders.memory.latency --allocations"), BenchmarkSuites.All, out var error);

        Assert.Null(error);
        Assert.NotNull(parsed);
        Assert.True(parsed.Quick);
        Assert.True(parsed.Allocations);
        Assert.Equal("orders.memory.latency", parsed.Only);
        Assert.Equal(["orders"], parsed.Suites.Select(s => s.Name));

        // Every suite named "runtime" runs, and --only is checked against all of their scenarios.
        var runtime = BenchmarkArguments.Parse(Split("runtime --only runtime.stream.durable.sqlite"), BenchmarkSuites.All, out _);
        Assert.Equal(3, runtime!.Suites.Count);
    }

    [Fact]
    public void A_missing_trades_day_is_found()
    {
        var folder = Directory.CreateTempSubdirectory("ot-bench-days-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "2013-10-07.trades.csv.gz"), "");
            File.WriteAllText(Path.Combine(folder, "2013-10-09.trades.csv"), "");

            // 2013-10-07 is a Monday; the weekend after the 11th is not a trading day.
            var missing = MarketDataFolder.MissingTradeDays(folder, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 13));

            Assert.Equal([new DateOnly(2013, 10, 8), new DateOnly(2013, 10, 10), new DateOnly(2013, 10, 11)], missing);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Promotions_count_the_bytes_a_collection_found_alive_in_gen0()
    {
        using var promotions = new GcPromotionListener();
        var before = await promotions.SettledAsync();

        // 2 MB in small arrays, allocated in gen0 and alive through the full collection below.
        var kept = Enumerable.Range(0, 2_000).Select(_ => new byte[1_000]).ToList();
        GC.GetTotalMemory(forceFullCollection: true);
        var promoted = (await promotions.SettledAsync()).Since(before);
        GC.KeepAlive(kept);

        Assert.True(promoted.Collections >= 1, $"collections seen: {promoted.Collections}");
        Assert.True(promoted.Gen0Bytes >= 2_000_000, $"promoted out of gen0: {promoted.Gen0Bytes} bytes");
    }

    private static string[] Split(string commandLine) => commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
