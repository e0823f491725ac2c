using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>The backtest grain runs the domain backtester on the latest bars the silo holds, and trades nothing.</summary>
public sealed class BacktestTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static readonly Dictionary<string, string> Sma = new() { ["quantity"] = "10", ["fastPeriod"] = "2", ["slowPeriod"] = "5" };

    [Fact]
    public async Task ABacktest_RunsOnTheLatestBarsTheSiloHolds_WithTheAnswerOfTheDomainBacktester()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var t0 = MinutesAgo(100);

        // A wave of 80 bars: the averages cross again and again.
        var bars = Enumerable.Range(0, 80)
            .Select(i => Bar("BKT", t0 + (i * Minute), 100m + Math.Round((decimal)Math.Sin(i / 2.0) * 3m, 2)))
            .ToList();
        var ingested = await cluster.Symbol("BKT").IngestAsync(new TickBatch { Bars = bars });
        Assert.Equal(80, ingested.Accepted);
        var perShare = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.01m, MinimumPerOrder = 1m, IncludeRegulatoryFees = false };

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["BKT"],
            Parameters = Sma,
            Bars = 60,
            InitialCash = 50_000m,
            FeeModel = perShare,
        });

        Assert.True(answer.Succeeded, answer.Message);
        var report = answer.Report!;
        var symbol = Assert.Single(report.Symbols);
        Assert.Equal(("BKT", 60, "silo", t0 + (20 * Minute), t0 + (80 * Minute)), (symbol.Symbol, symbol.Bars, symbol.Source, symbol.FirstBarStart, symbol.LastBarEnd));

        var fees = FeeModelFactory.Create(perShare).GetValueOrThrow();
        var expected = Backtester.Run(StrategyCatalog.Create(StrategyKinds.SmaCrossover, new Dictionary<string, string>(Sma) { ["symbol"] = "BKT" }), bars[20..],
            new BacktestOptions { StrategyId = "backtest", InitialCash = 50_000m, Fee = input => fees.Calculate(input).Total });
        Assert.True(expected.RoundTrips.Count >= 3, $"the wave made only {expected.RoundTrips.Count} round trips");
        Assert.Equal((expected.Intents.Count, expected.Executions.Count, expected.RoundTrips.Count), (report.Orders, report.Fills, report.RoundTrips.Count));
        Assert.Equal((expected.Cash, expected.EquityCurve[^1].Equity, expected.TotalFees), (report.EndingCash, report.EndingEquity, report.TotalFees));
        Assert.Equal(report.EndingEquity - 50_000m, report.NetPnl);
        Assert.Equal(report.RoundTrips.Count, report.Statistics.TradeCount);
        Assert.Equal(expected.EquityCurve, report.EquityCurve);
        Assert.True(report.TotalFees >= report.Fills * 1m, "every fill pays at least the $1 minimum");

        // With an end, the latest bars that ended by then: the 20 up to the 50th minute.
        var earlier = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["BKT"], Parameters = Sma, Bars = 20, End = t0 + (50 * Minute) + TimeSpan.FromSeconds(30),
        });
        var window = Assert.Single(earlier.Report!.Symbols);
        Assert.Equal((20, t0 + (30 * Minute), t0 + (50 * Minute)), (window.Bars, window.FirstBarStart, window.LastBarEnd));

        // With a start too: only the bars from then on.
        var lastTen = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["BKT"], Parameters = Sma, Bars = RunBacktest.MaxBars, Start = t0 + (70 * Minute),
        });
        var recent = Assert.Single(lastTen.Report!.Symbols);
        Assert.Equal((10, t0 + (70 * Minute), t0 + (80 * Minute), (string?)null), (recent.Bars, recent.FirstBarStart, recent.LastBarEnd, recent.Problem));

        // With slippage: every fill of the same run moved against it, as the domain backtester has it.
        var slipped = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["BKT"], Parameters = Sma, Bars = 60, InitialCash = 50_000m, FeeModel = perShare, SlippageBps = 25m,
        });
        var expectedSlipped = Backtester.Run(StrategyCatalog.Create(StrategyKinds.SmaCrossover, new Dictionary<string, string>(Sma) { ["symbol"] = "BKT" }), bars[20..],
            new BacktestOptions { StrategyId = "backtest", InitialCash = 50_000m, SlippageBps = 25m, Fee = input => fees.Calculate(input).Total });
        Assert.Equal((25m, expectedSlipped.Cash, expectedSlipped.EquityCurve[^1].Equity), (slipped.Report!.SlippageBps, slipped.Report.EndingCash, slipped.Report.EndingEquity));
        Assert.True(slipped.Report.NetPnl < report.NetPnl, $"{slipped.Report.NetPnl} with slippage, {report.NetPnl} without");
        Assert.Equal(
            expected.Executions.Select(e => e.Side == OrderSide.Buy ? e.Price * 1.0025m : e.Price * 0.9975m),
            expectedSlipped.Executions.Select(e => e.Price));

        // Nothing was traded: no account, no order, the symbol's bars as they were.
        Assert.Equal(80, (await cluster.Symbol("BKT").GetBarsAsync(Minute, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
    }

    [Fact]
    public async Task ASweep_RunsEveryCombinationOfTheGrid_OnTheSameBars_RankedBestFirst_WithRefusedCombinationsSaidApart()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var bars = Enumerable.Range(0, 80)
            .Select(i => Bar("SWP", MinutesAgo(100) + (i * Minute), 100m + Math.Round((decimal)Math.Sin(i / 2.5) * 3m, 2) + (i / 20m)))
            .ToList();
        Assert.Equal(80, (await cluster.Symbol("SWP").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        var backtests = cluster.Grains.GetGrain<IBacktestGrain>(0);
        var backtest = new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["SWP"], Parameters = new Dictionary<string, string> { ["quantity"] = "10" }, Bars = 80,
        };

        var answer = await backtests.SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["fastPeriod"] = ["2", "3", "9"], ["slowPeriod"] = ["5", "8"] },
        });

        Assert.True(answer.Succeeded, answer.Message);
        var report = answer.Report!;
        Assert.Equal((80, BacktestRanking.NetPnl), (Assert.Single(report.Symbols).Bars, report.RankBy));

        // Fast 9 is not under slow 5 or 8: refused, not run; the other four each equal a backtest of their own.
        Assert.Equal([("9", "5"), ("9", "8")], report.Refused.Select(r => (r.Parameters["fastPeriod"], r.Parameters["slowPeriod"])));
        Assert.All(report.Refused, r => Assert.Contains("fastPeriod", r.Message, StringComparison.Ordinal));
        Assert.Equal(4, report.Runs.Count);
        foreach (var run in report.Runs)
        {
            Assert.Equal("10", run.Parameters["quantity"]);
            var alone = (await backtests.RunAsync(backtest with { Parameters = run.Parameters })).Report!;
            Assert.Equal((alone.NetPnl, alone.Fills, alone.TotalFees, alone.Statistics), (run.NetPnl, run.Fills, run.TotalFees, run.Statistics));
        }

        Assert.Equal(report.Runs.OrderByDescending(r => r.NetPnl).Select(r => r.NetPnl), report.Runs.Select(r => r.NetPnl));
        Assert.True(report.Runs[0].NetPnl != report.Runs[^1].NetPnl, "the grid's runs all made the same");
        Assert.All(report.Runs, r => Assert.Null(r.Validation));
        Assert.Null(report.ValidationSymbols);

        // Chosen on the first 40 bars, validated on the last 40: each run's validation is that window's own backtest.
        var t0 = bars[0].Start;
        var chosen = backtest with { Bars = RunBacktest.MaxBars, Start = t0, End = t0 + (40 * Minute) };
        var validated = (await backtests.SweepAsync(new RunBacktestSweep
        {
            Backtest = chosen,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["fastPeriod"] = ["2", "3"], ["slowPeriod"] = ["5", "8"] },
            Validation = new BacktestWindow(t0 + (40 * Minute), t0 + (80 * Minute)),
        })).Report!;
        Assert.Equal((40, 40), (Assert.Single(validated.Symbols).Bars, Assert.Single(validated.ValidationSymbols!).Bars));
        foreach (var run in validated.Runs)
        {
            var later = (await backtests.RunAsync(chosen with { Parameters = run.Parameters, Start = t0 + (40 * Minute), End = t0 + (80 * Minute) })).Report!;
            Assert.Equal((later.NetPnl, later.Fills, later.Statistics), (run.Validation!.NetPnl, run.Validation.Fills, run.Validation.Statistics));
        }

        var noValidationBars = await backtests.SweepAsync(new RunBacktestSweep
        {
            Backtest = chosen,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["fastPeriod"] = ["2"], ["slowPeriod"] = ["5"] },
            Validation = new BacktestWindow(t0 - (60 * Minute), t0),
        });
        Assert.Equal(StrategyErrorCodes.NoBars, noValidationBars.ErrorCode);
        Assert.StartsWith(
            $"The validation window: No one-minute bars of SWP starting at or after {t0 - (60 * Minute):O} and ending by {t0:O}, in the silo",
            noValidationBars.Message, StringComparison.Ordinal);
        var byDrawdown = (await backtests.SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["fastPeriod"] = ["2", "3"], ["slowPeriod"] = ["5", "8"] },
            RankBy = BacktestRanking.MaxDrawdown,
        })).Report!;
        Assert.Equal(byDrawdown.Runs.OrderBy(r => r.Statistics.MaxDrawdown).Select(r => r.Statistics.MaxDrawdown), byDrawdown.Runs.Select(r => r.Statistics.MaxDrawdown));

        // A grid that is empty, repeats a fixed parameter, or makes more than 200 runs is refused whole.
        var refusals = new[]
        {
            new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<string, IReadOnlyList<string>> { ["quantity"] = ["1", "2"] },
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["fastPeriod"] = [.. Enumerable.Range(1, 15).Select(i => $"{i}")], ["slowPeriod"] = [.. Enumerable.Range(20, 14).Select(i => $"{i}")],
            },
        };
        var messages = new List<string?>();
        foreach (var grid in refusals)
        {
            var refused = await backtests.SweepAsync(new RunBacktestSweep { Backtest = backtest, Grid = grid });
            Assert.Equal((false, StrategyErrorCodes.InvalidParameters), (refused.Succeeded, refused.ErrorCode));
            messages.Add(refused.Message);
        }

        Assert.Equal(
            ["A sweep needs at least one parameter with values to try.", "Parameter \"quantity\" is both fixed and swept; give it in one place.",
                "The grid makes 210 runs; at most 200."],
            messages);
        var allRefused = await backtests.SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["fastPeriod"] = ["9", "10"], ["slowPeriod"] = ["5"] },
        });
        Assert.Equal(StrategyErrorCodes.InvalidParameters, allRefused.ErrorCode);
        Assert.StartsWith("The kind refused every combination of the grid; the first: ", allRefused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASweep_StopsBetweenItsRuns_OnceItsCallerHasHungUp_NotRunningTheRestForNobody()
    {
        using var hangUp = new CancellationTokenSource();
        var started = 0;
        var counting = new StrategyDefinition
        {
            Kind = "counting", ParameterNames = ["p"], StateType = typeof(IdleState),

            // The third run's start is where the client hangs up.
            Create = _ => new IdleStrategy("counting", () =>
            {
                if (Interlocked.Increment(ref started) == 3)
                {
                    hangUp.Cancel();
                }
            }),
        };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(counting) });
        var bars = Enumerable.Range(0, 20).Select(i => Bar("HUP", MinutesAgo(30) + (i * Minute), 100m)).ToList();
        Assert.Equal(20, (await cluster.Symbol("HUP").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        var sweep = new RunBacktestSweep
        {
            Backtest = new RunBacktest { Kind = "counting", Symbols = ["HUP"], Bars = 20 },
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["p"] = [.. Enumerable.Range(0, 10).Select(i => $"{i}")] },
        };

        RequestContext.Set(RequestContextKeys.RequestAborted, hangUp.Token);
        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).SweepAsync(sweep);
        RequestContext.Remove(RequestContextKeys.RequestAborted);

        Assert.Equal((false, StrategyErrorCodes.Canceled, 3), (answer.Succeeded, answer.ErrorCode, started));

        // A caller still there gets every run.
        using var stays = new CancellationTokenSource();
        RequestContext.Set(RequestContextKeys.RequestAborted, stays.Token);
        var whole = await cluster.Grains.GetGrain<IBacktestGrain>(0).SweepAsync(sweep);
        RequestContext.Remove(RequestContextKeys.RequestAborted);
        Assert.True(whole.Succeeded, whole.Message);
        Assert.Equal(10, whole.Report!.Runs.Count);
    }

    [Fact]
    public async Task ABacktest_IsRefusedWithTheReason_ForAnUnknownKind_BadParameters_AndSymbolsWithoutBars()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var backtests = cluster.Grains.GetGrain<IBacktestGrain>(0);

        var unknown = await backtests.RunAsync(new RunBacktest { Kind = "martingale", Symbols = ["NOB"] });
        var badParameter = await backtests.RunAsync(new RunBacktest { Kind = StrategyKinds.SmaCrossover, Symbols = ["NOB"], Parameters = new Dictionary<string, string> { ["fastPeriod"] = "9", ["slowPeriod"] = "3" } });
        var tooMany = await backtests.RunAsync(new RunBacktest { Kind = StrategyKinds.SmaCrossover, Symbols = ["NOB"], Bars = RunBacktest.MaxBars + 1 });
        var noBars = await backtests.RunAsync(new RunBacktest { Kind = StrategyKinds.SmaCrossover, Symbols = ["NOB"], Parameters = Sma });
        var slippage = await backtests.RunAsync(new RunBacktest { Kind = StrategyKinds.SmaCrossover, Symbols = ["NOB"], Parameters = Sma, SlippageBps = 1_000.5m });

        Assert.Equal(StrategyErrorCodes.UnknownKind, unknown.ErrorCode);
        Assert.Equal(StrategyErrorCodes.InvalidParameters, badParameter.ErrorCode);
        Assert.Contains("fastPeriod", badParameter.Message, StringComparison.Ordinal);
        Assert.Equal(StrategyErrorCodes.InvalidParameters, tooMany.ErrorCode);
        Assert.Equal((StrategyErrorCodes.NoBars, "No one-minute bars of NOB yet, in the silo or its history sources."), (noBars.ErrorCode, noBars.Message));
        Assert.Equal((StrategyErrorCodes.InvalidParameters, "Slippage must be 0 to 1000 basis points; got 1000.5."), (slippage.ErrorCode, slippage.Message));
        Assert.All(new[] { unknown, badParameter, tooMany, noBars, slippage }, a => Assert.Null(a.Report));
    }

    [Fact]
    public async Task ABacktestOnFiles_RunsOnTheDailyBarsOfTheConfiguredFolder_AnnualizedPerSession_AndSaysWhatItSkipped()
    {
        using var data = new TempDirectory();
        var day0 = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var days = Enumerable.Range(0, 300)
            .Select(i => new Bar("FILE", day0.AddDays(i), TimeSpan.FromDays(1), 0m, 0m, 0m, 100m + Math.Round((decimal)Math.Sin(i / 3.0) * 5m, 2), 1_000m))
            .Select(b => b with { Open = b.Close, High = b.Close + 1m, Low = b.Close - 1m })
            .ToList();
        Directory.CreateDirectory(data.File("daily"));
        await File.WriteAllTextAsync(data.File("daily/FILE.csv"), "date,open,high,low,close,volume\n"
            + string.Concat(days.Select(b => FormattableString.Invariant($"{b.Start:yyyy-MM-dd},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n")))
            + "2019-06-15,1,2,3,4,5\n", TestContext.Current.CancellationToken); // a second row for the day, its low above its high: skipped
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path),
        });
        var backtests = cluster.Grains.GetGrain<IBacktestGrain>(0);

        var answer = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files,
            BarInterval = TimeSpan.FromDays(1), Bars = 250, End = day0.AddDays(280),
        });

        Assert.True(answer.Succeeded, answer.Message);
        var report = answer.Report!;
        var symbol = Assert.Single(report.Symbols);
        Assert.Equal(("FILE", 250, "files", day0.AddDays(30), day0.AddDays(280), "1 unreadable or inconsistent rows skipped"),
            (symbol.Symbol, symbol.Bars, symbol.Source, symbol.FirstBarStart, symbol.LastBarEnd, symbol.Problem));
        var expected = Backtester.Run(StrategyCatalog.Create(StrategyKinds.SmaCrossover, new Dictionary<string, string>(Sma) { ["symbol"] = "FILE" }), days[30..280],
            new BacktestOptions { StrategyId = "backtest", InitialCash = 100_000m, Fee = input => FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow().Calculate(input).Total });
        Assert.True(expected.RoundTrips.Count >= 5, $"the wave made only {expected.RoundTrips.Count} round trips");
        Assert.Equal((expected.Cash, expected.RoundTrips.Count), (report.EndingCash, report.RoundTrips.Count));
        Assert.Equal(expected.ComputeStatistics(252), report.Statistics);

        // A start: the bars from then on, unless the cap cuts them shorter (and the answer says so).
        var fromDay100 = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files,
            BarInterval = TimeSpan.FromDays(1), Bars = RunBacktest.MaxFileBars, Start = day0.AddDays(100), End = day0.AddDays(280),
        });
        var since = Assert.Single(fromDay100.Report!.Symbols);
        Assert.Equal((180, day0.AddDays(100), day0.AddDays(280)), (since.Bars, since.FirstBarStart, since.LastBarEnd));
        var capped = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files,
            BarInterval = TimeSpan.FromDays(1), Bars = 50, Start = day0.AddDays(100), End = day0.AddDays(280),
        });
        Assert.Equal((50, "1 unreadable or inconsistent rows skipped; only the latest 50 bars, from 2019-08-19T00:00:00.0000000+00:00: raise bars or move the start"),
            (capped.Report!.Symbols[0].Bars, capped.Report.Symbols[0].Problem));
        var backwards = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files,
            BarInterval = TimeSpan.FromDays(1), Start = day0.AddDays(100), End = day0.AddDays(100),
        });
        Assert.Equal((StrategyErrorCodes.InvalidParameters, "The start must be before the end."), (backwards.ErrorCode, backwards.Message));

        var listed = Assert.Single((await backtests.ListFilesAsync())!);
        Assert.Equal(("FILE", new DateOnly(2019, 1, 1), new DateOnly(2019, 10, 27), 0), (listed.Symbol, listed.DailyFrom, listed.DailyTo, listed.MinuteDays));

        // The silo's own bars are never mixed in, and a symbol without files says so.
        var none = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["NOFILE"], Parameters = Sma, Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1),
        });
        Assert.Equal((StrategyErrorCodes.NoBars, "No daily bars of NOFILE in the market-data files."), (none.ErrorCode, none.Message));

        // A start past the files' last day: the message said there were no bars of FILE at all.
        var late = day0.AddDays(400);
        var afterTheFiles = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1), Start = late,
        });
        Assert.Equal((StrategyErrorCodes.NoBars, $"No daily bars of FILE starting at or after {late:O} in the market-data files."),
            (afterTheFiles.ErrorCode, afterTheFiles.Message));
        var seconds = await backtests.RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["FILE"], Parameters = Sma, Source = BacktestSource.Files, BarInterval = TimeSpan.FromSeconds(1),
        });
        Assert.Equal((StrategyErrorCodes.InvalidParameters, "From files the bar interval is one minute or one day."), (seconds.ErrorCode, seconds.Message));
    }

    [Theory]
    [InlineData("70000000000000000000000000000")] // within a decimal: marking the position at it overflowed, the run threw (a 500)
    [InlineData("50000000")] // above MarketData:Validation:MaxPrice: taken as a real bar
    [InlineData("5000", 1_000)] // above the silo's configured ceiling
    public async Task ABacktestOnFiles_SkipsABarPricedAboveTheCeiling_AsAnInconsistentRow_AndRunsOnTheRest(string absurd, int? maxPrice = null)
    {
        using var data = new TempDirectory();
        var day0 = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var days = Enumerable.Range(0, 120)
            .Select(i => new Bar("HUGE", day0.AddDays(i), TimeSpan.FromDays(1), 0m, 0m, 0m, 100m + Math.Round((decimal)Math.Sin(i / 3.0) * 5m, 2), 1_000m))
            .Select(b => b with { Open = b.Close, High = b.Close + 1m, Low = b.Close - 1m })
            .ToList();
        var rows = days.Select(b => FormattableString.Invariant($"{b.Start:yyyy-MM-dd},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n")).ToList();
        rows[60] = $"{days[60].Start:yyyy-MM-dd},{absurd},{absurd},{absurd},{absurd},1000\n";
        Directory.CreateDirectory(data.File("daily"));
        await File.WriteAllTextAsync(data.File("daily/HUGE.csv"), "date,open,high,low,close,volume\n" + string.Concat(rows), TestContext.Current.CancellationToken);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path);
                if (maxPrice is { } ceiling)
                {
                    silo.Services.Configure<TickValidatorOptions>(o => o.MaxPrice = ceiling);
                }
            },
        });

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["HUGE"], Parameters = Sma, Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1), Bars = 500,
        });

        Assert.True(answer.Succeeded, answer.Message);
        Assert.Equal((119, "1 unreadable or inconsistent rows skipped"), (answer.Report!.Symbols[0].Bars, answer.Report.Symbols[0].Problem));
        var expected = Backtester.Run(StrategyCatalog.Create(StrategyKinds.SmaCrossover, new Dictionary<string, string>(Sma) { ["symbol"] = "HUGE" }),
            [.. days[..60], .. days[61..]],
            new BacktestOptions { StrategyId = "backtest", InitialCash = 100_000m, Fee = input => FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow().Calculate(input).Total });
        Assert.Equal((expected.Cash, expected.RoundTrips.Count), (answer.Report.EndingCash, answer.Report.RoundTrips.Count));
    }

    [Fact]
    public async Task ABacktestOnExtendedHoursMinuteFiles_AnnualizesOnTheBarsASessionHolds_NotOn390()
    {
        // Three New York days of bars every minute from 04:00 to 20:00, as the shared files and many feeds have them: 960 a session.
        using var data = new TempDirectory();
        var newYork = TimeSpan.FromHours(-4);
        Directory.CreateDirectory(data.File("minute/EXT"));
        var bars = new List<Bar>();
        for (var day = 0; day < 3; day++)
        {
            var open = new DateTimeOffset(2013, 10, 7 + day, 4, 0, 0, newYork);
            var session = Enumerable.Range(0, 960)
                .Select(i => new Bar("EXT", open + (i * Minute), Minute, 0m, 0m, 0m, 100m + Math.Round((decimal)Math.Sin((day * 960 + i) / 3.0) * 2m, 2), 100m))
                .Select(b => b with { Open = b.Close, High = b.Close, Low = b.Close })
                .ToList();
            bars.AddRange(session);
            await File.WriteAllTextAsync(data.File($"minute/EXT/{open:yyyy-MM-dd}.trades.csv"), "time,open,high,low,close,volume\n"
                + string.Concat(session.Select(b => FormattableString.Invariant($"{b.Start:yyyy-MM-dd'T'HH:mm:ss.fffzzz},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n"))),
                TestContext.Current.CancellationToken);
        }

        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path),
        });

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["EXT"], Parameters = Sma, Source = BacktestSource.Files,
            Bars = RunBacktest.MaxFileBars, End = new DateTimeOffset(2013, 10, 10, 0, 0, 0, newYork),
        });

        Assert.True(answer.Succeeded, answer.Message);
        Assert.Equal(2_880, answer.Report!.Symbols[0].Bars);
        var expected = Backtester.Run(StrategyCatalog.Create(StrategyKinds.SmaCrossover, new Dictionary<string, string>(Sma) { ["symbol"] = "EXT" }), bars,
            new BacktestOptions { StrategyId = "backtest", InitialCash = 100_000m, Fee = input => FeeModelFactory.Create(FeeModelSpec.Default).GetValueOrThrow().Calculate(input).Total });
        Assert.True(expected.RoundTrips.Count >= 5, $"the wave made only {expected.RoundTrips.Count} round trips");
        var statistics = answer.Report.Statistics;
        Assert.Equal(expected.ComputeStatistics(252 * 960).AnnualizedVolatility, statistics.AnnualizedVolatility);
        Assert.Equal(expected.ComputeStatistics(252 * 960), statistics);
    }

    [Fact]
    public void AnEquityCurve_IsThinnedToEvenlySpacedPoints_KeepingTheFirstAndTheLast()
    {
        var t0 = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var points = Enumerable.Range(0, 1_001).Select(i => new EquityPoint(t0.AddMinutes(i), 100_000m + i)).ToList();

        var thinned = BacktestGrain.Thin(points, 500);

        Assert.Equal(500, thinned.Count);
        Assert.Equal((points[0], points[^1]), (thinned[0], thinned[^1]));
        Assert.All(thinned.Zip(thinned.Skip(1)), pair => Assert.InRange(pair.Second.Equity - pair.First.Equity, 2m, 3m));
        Assert.Same(points, BacktestGrain.Thin(points, 1_001));
    }

    [Theory]
    [InlineData(BacktestRanking.NetPnl, "b,c,a,d")]
    [InlineData(BacktestRanking.SharpeRatio, "c,b,a,d")]
    [InlineData(BacktestRanking.ProfitFactor, "d,a,b,c")]
    [InlineData(BacktestRanking.MaxDrawdown, "d,a,c,b")]
    public void SweepRuns_AreRankedBestFirst_RunsWithoutTheFigureLast_AndAProfitFactorWithoutLossesFirst(BacktestRanking rankBy, string expected)
    {
        // a: wins and losses; b: the most P&L; c: the best Sharpe; d: one win and no loss (undefined profit factor), no Sharpe.
        var runs = new List<BacktestSweepRun>
        {
            SweepRun("a", netPnl: 10m, sharpe: 0.5, profitFactor: 3m, drawdown: 0.05m, wins: 2, losses: 1),
            SweepRun("b", netPnl: 30m, sharpe: 0.7, profitFactor: 1.5m, drawdown: 0.2m, wins: 3, losses: 2),
            SweepRun("c", netPnl: 20m, sharpe: 1.2, profitFactor: null, drawdown: 0.1m, wins: 0, losses: 0),
            SweepRun("d", netPnl: 5m, sharpe: null, profitFactor: null, drawdown: 0.01m, wins: 1, losses: 0),
        };

        var ranked = BacktestGrain.Rank(runs, rankBy);

        Assert.Equal(expected, string.Join(",", ranked.Select(r => r.Parameters["id"])));
    }

    [Fact]
    public async Task ASweepThatWouldStepTooManyBars_IsRefusedBeforeItRuns()
    {
        // Three symbols of 20,000 daily bars each, 200 runs: 12 million bar-steps, over the bound of 10 million.
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.File("daily"));
        var rows = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{new DateOnly(1960, 1, 1).AddDays(i):yyyy-MM-dd},10,11,9,10,100\n"));
        foreach (var symbol in new[] { "AAA", "BBB", "CCC" })
        {
            await File.WriteAllTextAsync(data.File($"daily/{symbol}.csv"), "date,open,high,low,close,volume\n" + rows, TestContext.Current.CancellationToken);
        }

        var idle = new StrategyDefinition
        {
            Kind = "idle-basket", ParameterNames = ["p"], MaxSymbols = 3, StateType = typeof(IdleState), Create = _ => new IdleStrategy(),
        };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(idle);
                silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path);
            },
        });
        var backtest = new RunBacktest
        {
            Kind = "idle-basket", Symbols = ["AAA", "BBB", "CCC"], Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1), Bars = 20_000,
        };

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest,
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["p"] = [.. Enumerable.Range(0, 200).Select(i => $"{i}")] },
        });

        Assert.Equal((StrategyErrorCodes.InvalidParameters,
            "200 runs over 60000 bars is 12,000,000 bar-steps; a sweep makes at most 10,000,000: fewer runs, bars or symbols."),
            (answer.ErrorCode, answer.Message));
        var fewer = await cluster.Grains.GetGrain<IBacktestGrain>(0).SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest with { Bars = 10_000 },
            Grid = new Dictionary<string, IReadOnlyList<string>> { ["p"] = ["1", "2"] },
        });
        Assert.True(fewer.Succeeded, fewer.Message);
        Assert.Equal(2, fewer.Report!.Runs.Count);
    }

    [Fact]
    public async Task ABasketBacktest_IsRefused_WhenOneOfItsSymbolsHasNoBars_NotRunWithoutThatLeg()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.File("daily"));
        await File.WriteAllTextAsync(data.File("daily/AAA.csv"), "date,open,high,low,close,volume\n2020-01-02,10,11,9,10,100\n2020-01-03,10,11,9,10,100\n",
            TestContext.Current.CancellationToken);
        var idle = new StrategyDefinition
        {
            Kind = "idle-basket", ParameterNames = ["p"], MaxSymbols = 3, StateType = typeof(IdleState), Create = _ => new IdleStrategy(),
        };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(idle);
                silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path);
            },
        });
        var backtest = new RunBacktest { Kind = "idle-basket", Symbols = ["AAA", "NOFILE"], Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1) };

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(backtest);
        var sweep = await cluster.Grains.GetGrain<IBacktestGrain>(0).SweepAsync(new RunBacktestSweep
        {
            Backtest = backtest, Grid = new Dictionary<string, IReadOnlyList<string>> { ["p"] = ["1", "2"] },
        });

        Assert.Equal((StrategyErrorCodes.NoBars, "No daily bars of NOFILE in the market-data files.", (BacktestReport?)null),
            (answer.ErrorCode, answer.Message, answer.Report));
        Assert.Equal((StrategyErrorCodes.NoBars, "No daily bars of NOFILE in the market-data files."), (sweep.ErrorCode, sweep.Message));
        var withBars = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(backtest with { Symbols = ["AAA"] });
        Assert.True(withBars.Succeeded, withBars.Message);
    }

    [Fact]
    public async Task TheListOfFiles_IsReadAtMostOnceAMinute_AndShowsNewFilesAfterThat()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.File("daily"));
        const string Daily = "date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,1000\n";
        await File.WriteAllTextAsync(data.File("daily/ONE.csv"), Daily, TestContext.Current.CancellationToken);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path),
        });
        var backtests = cluster.Grains.GetGrain<IBacktestGrain>(0);
        Assert.Equal(["ONE"], (await backtests.ListFilesAsync())!.Select(f => f.Symbol));

        await File.WriteAllTextAsync(data.File("daily/TWO.csv"), Daily, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(["ONE"], (await backtests.ListFilesAsync())!.Select(f => f.Symbol));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["ONE", "TWO"], (await backtests.ListFilesAsync())!.Select(f => f.Symbol));
    }

    /// <summary>
    /// A class share's '/' (BRK/B, a symbol the API takes) cannot be in a file's name. The refusal said so in the file
    /// reader's exception text, its parameter name included: "... cannot name a market-data file. (Parameter 'symbol')".
    /// </summary>
    [Fact]
    public async Task ABacktestOnFiles_OfAClassShare_IsRefusedSayingWhyInWords_NotInTheReadersExceptionText()
    {
        using var data = new TempDirectory();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data.Path),
        });

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["BRK/B"], Parameters = Sma, Source = BacktestSource.Files, BarInterval = TimeSpan.FromDays(1),
        });

        Assert.Equal(StrategyErrorCodes.NoBars, answer.ErrorCode);
        Assert.Equal("No daily bars of BRK/B in the market-data files. BRK/B: a market-data file's name cannot hold its '/'.", answer.Message);
    }

    [Fact]
    public async Task ABacktestOnFiles_IsRefused_WhereTheSiloHasNoFolderOfThem()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());

        var answer = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover, Symbols = ["SPY"], Parameters = Sma, Source = BacktestSource.Files, Bars = RunBacktest.MaxFileBars,
        });

        Assert.Equal((StrategyErrorCodes.NoFiles, "This silo has no folder of market-data files to backtest on: set Backtests__DataPath."),
            (answer.ErrorCode, answer.Message));
        Assert.Null(await cluster.Grains.GetGrain<IBacktestGrain>(0).ListFilesAsync());
    }

    private static BacktestSweepRun SweepRun(string id, decimal netPnl, double? sharpe, decimal? profitFactor, decimal drawdown, int wins, int losses) => new()
    {
        Parameters = new Dictionary<string, string> { ["id"] = id },
        EndingEquity = 100_000m + netPnl,
        NetPnl = netPnl,
        TotalFees = 0m,
        Fills = 2 * (wins + losses),
        Statistics = new PerformanceReport
        {
            Periods = 100, SharpeRatio = sharpe, ProfitFactor = profitFactor, MaxDrawdown = drawdown, MaxDrawdownDuration = TimeSpan.Zero,
            MaxDrawdownRecovered = true, LongestDrawdownDuration = TimeSpan.Zero, TradeCount = wins + losses, WinningTrades = wins, LosingTrades = losses,
            TotalFees = 0m,
        },
    };

    /// <summary>The start of the minute that many minutes ago.</summary>
    private static DateTimeOffset MinutesAgo(int minutes)
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-minutes);
    }

    private static Bar Bar(string symbol, DateTimeOffset start, decimal close) => new(symbol, start, Minute, close, close, close, close, 100m, 1);

    /// <summary>A basket strategy that never trades: what a sweep costs is the bars it steps through.</summary>
    private sealed class IdleStrategy(string kind = "idle-basket", Action? onStarted = null) : StrategyBase
    {
        public override string Kind => kind;

        protected override void OnStarted() => onStarted?.Invoke();

        public override void OnBar(Bar bar)
        {
        }

        public override StrategyState GetState() => new IdleState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record IdleState : StrategyState;
}
