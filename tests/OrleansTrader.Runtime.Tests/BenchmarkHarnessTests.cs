using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Benchmarks;
using OrleansTrader.Benchmarks.Runtime;
using OrleansTrader.Benchmarks.Trading;

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

    [Fact]
    public async Task An_orders_scenario_whose_fill_never_comes_ends_incomplete_and_names_the_order()
    {
        // Every stream delivery to bench-7 is dropped: the fill of its first warm-up order never reaches the account.
        var (line, context) = await RunOrdersLatencyAsync(new AccountFaultFilter(dropStreamDeliveries: true));

        Assert.False(line.GetProperty("complete").GetBoolean());
        var missing = line.GetProperty("missing");
        Assert.Equal(1, missing.GetProperty("unfilled").GetInt32());
        Assert.Equal(0, missing.GetProperty("placement_failures").GetInt32());
        Assert.Equal(0, missing.GetProperty("unanswered").GetInt32());

        // The account's next order would wait for that fill: its other 19 warm-up orders are not sent.
        Assert.Equal(19, missing.GetProperty("not_sent").GetInt32());
        Assert.Equal(
            ["w7-0 at bench-7: placed, no Fill event in 15 s; the account holds it Accepted, 0 of 1 filled"],
            missing.GetProperty("orders").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["orders.memory.latency: error: the warm-up did not complete: 1980 of 2000 orders filled"], context.Failures);
    }

    [Fact]
    public async Task An_orders_scenario_whose_call_fails_ends_incomplete_instead_of_throwing()
    {
        // bench-7's first PlaceOrderAsync fails, as a call that timed out under load does.
        var (line, context) = await RunOrdersLatencyAsync(new AccountFaultFilter(dropStreamDeliveries: false));

        Assert.False(line.GetProperty("complete").GetBoolean());
        var missing = line.GetProperty("missing");
        Assert.Equal(1, missing.GetProperty("placement_failures").GetInt32());
        Assert.Equal(0, missing.GetProperty("unfilled").GetInt32());
        Assert.Equal(19, missing.GetProperty("not_sent").GetInt32());
        Assert.Equal("InvalidOperationException: injected failure of PlaceOrderAsync", missing.GetProperty("first_error").GetString());
        Assert.Equal(
            ["w7-0 at bench-7: PlaceOrderAsync failed; the account holds no such order"],
            missing.GetProperty("orders").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["orders.memory.latency: error: the warm-up did not complete: 1980 of 2000 orders filled"], context.Failures);
    }

    /// <summary>Runs orders.memory.latency (--quick) with the filter on the silo; returns its one line.</summary>
    private static async Task<(JsonElement Line, BenchmarkContext Context)> RunOrdersLatencyAsync(IIncomingGrainCallFilter filter)
    {
        var output = new StringWriter();
        var context = new BenchmarkContext(quick: true, output, only: "orders.memory.latency");
        // 15 s: the other 99 accounts' warm-up fills must all come within it, also while the other test projects run.
        var suite = new OrderBenchmarks(TimeSpan.FromSeconds(15), silo => silo.Services.AddSingleton(filter));

        await suite.RunAsync(context);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        var parsed = JsonDocument.Parse(line).RootElement;
        Assert.Equal("orders.memory.latency", parsed.GetProperty("scenario").GetString());
        return (parsed, context);
    }

    /// <summary>Fails bench-7's first PlaceOrderAsync, or drops every stream delivery to it (its fills are never applied).</summary>
    private sealed class AccountFaultFilter(bool dropStreamDeliveries) : IIncomingGrainCallFilter
    {
        private int _placements;

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.TargetId.Key == "bench-7" && context.TargetId.Type.Value.Contains("Account", StringComparison.Ordinal))
            {
                if (dropStreamDeliveries && context.InterfaceName == "stream")
                {
                    return Task.CompletedTask;
                }

                if (!dropStreamDeliveries && context.MethodName == "PlaceOrderAsync" && Interlocked.Increment(ref _placements) == 1)
                {
                    throw new InvalidOperationException("injected failure of PlaceOrderAsync");
                }
            }

            return context.Invoke();
        }
    }

    private static string[] Split(string commandLine) => commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
