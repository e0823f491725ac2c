using Microsoft.Extensions.Options;
using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Statistics;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Runs the domain backtester on the latest bars of a strategy's symbols, read as a warm-up reads them or from the
/// silo's folder of market-data files. Stateless: one activation per core, so a long backtest does not queue the next
/// one behind it.
/// </summary>
[StatelessWorker]
internal sealed class BacktestGrain(
    StrategyRegistry strategies, LatestBarsReader barsReader, IOptions<BacktestFilesOptions> files, BacktestFileCatalog catalog, TimeProvider time,
    TradingEnvironment environment, IOptions<TickValidatorOptions> validation)
    : Grain, IBacktestGrain
{
    // The statistics annualize per bar: 252 sessions of the bars a session holds in the run (extended hours count), or of
    // at least a regular session's 390 minutes when the run sees no whole session.
    private const int SessionsPerYear = 252;
    private const int RegularSessionMinutes = 390;

    // A sweep runs in one call: bars times runs is bounded so it answers well within the call's 30 s timeout (the
    // `backtests` benchmark steps the SMA crossover through about 1.5 million bars a second here: about 7 s at the bound).
    private const long MaxSweepBarRuns = 10_000_000;

    private const string CallerGone = "The caller stopped waiting before the backtest started; it did not run.";

    public Task<BacktestAnswer> RunAsync(RunBacktest command) =>
        LeasedAsync(() => RunLeasedAsync(command), () => new BacktestAnswer(false, null, StrategyErrorCodes.Canceled, CallerGone));

    public Task<BacktestSweepAnswer> SweepAsync(RunBacktestSweep command) =>
        LeasedAsync(() => SweepLeasedAsync(command), () => new BacktestSweepAnswer(false, null, StrategyErrorCodes.Canceled, CallerGone));

    /// <summary>Runs <paramref name="work"/> holding the caller's lease (<see cref="Lease"/>) until it ends.</summary>
    private static async Task<T> LeasedAsync<T>(Func<Task<T>> work, Func<T> callerGone)
    {
        var lease = Lease();
        if (lease?.TryTake() == false)
        {
            return callerGone();
        }

        try
        {
            return await work();
        }
        finally
        {
            lease?.Release();
        }
    }

    /// <summary>
    /// The caller's place in its bound on backtests running (the gateway's), held until the work ends, not only while the call
    /// waits (its timeout let retries run beside it); null from a caller without a bound. One the caller let go already (the
    /// call expired before it ran) cannot be taken, and the work does not run.
    /// </summary>
    private static BacktestLease? Lease() => RequestContext.Get(RequestContextKeys.BacktestLease) as BacktestLease;

    private async Task<BacktestAnswer> RunLeasedAsync(RunBacktest command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Refusal(command) is { } refusal)
        {
            return new BacktestAnswer(false, null, StrategyErrorCodes.InvalidParameters, refusal);
        }

        if (!StrategyFactory.TryCreate(strategies, command.Kind, command.Symbols, command.Parameters, out var strategy, out var code, out var message))
        {
            return new BacktestAnswer(false, null, code, message);
        }

        if (StrategyQuantityCheck.Refusal(environment, command.Kind, command.Symbols, command.Parameters) is { } quantityRefusal)
        {
            return new BacktestAnswer(false, null, StrategyErrorCodes.InvalidParameters, quantityRefusal);
        }

        var (ready, failure) = await PrepareAsync(command);
        return ready is null
            ? new BacktestAnswer(false, null, failure!.Value.Code, failure.Value.Message)
            : new BacktestAnswer(true, Run(command, command.Parameters, strategy, ready));
    }

    private async Task<BacktestSweepAnswer> SweepLeasedAsync(RunBacktestSweep command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var backtest = command.Backtest;
        var refusal = Refusal(backtest) ?? SweepRefusal(command);
        if (refusal is not null)
        {
            return new BacktestSweepAnswer(false, null, StrategyErrorCodes.InvalidParameters, refusal);
        }

        if (!strategies.IsKnown(backtest.Kind))
        {
            return new BacktestSweepAnswer(false, null, StrategyErrorCodes.UnknownKind,
                $"Unknown strategy kind \"{backtest.Kind}\"; known: {string.Join(", ", strategies.Kinds)}.");
        }

        var (ready, failure) = await PrepareAsync(backtest);
        if (ready is null)
        {
            return new BacktestSweepAnswer(false, null, failure!.Value.Code, failure.Value.Message);
        }

        // The validation window's bars: the same source and symbols, as many as that source allows.
        var validation = command.Validation is { } window
            ? backtest with { Start = window.Start, End = window.End, Bars = backtest.Source == BacktestSource.Files ? RunBacktest.MaxFileBars : RunBacktest.MaxBars }
            : null;
        Prepared? checking = null;
        if (validation is not null)
        {
            (checking, failure) = await PrepareAsync(validation);
            if (checking is null)
            {
                return new BacktestSweepAnswer(false, null, failure!.Value.Code, $"The validation window: {failure.Value.Message}");
            }
        }

        var combinations = Combinations(backtest.Parameters, command.Grid);
        var bars = ready.Bars.Count + (checking?.Bars.Count ?? 0);
        var work = (long)combinations.Count * bars;
        if (work > MaxSweepBarRuns)
        {
            return new BacktestSweepAnswer(false, null, StrategyErrorCodes.InvalidParameters,
                $"{combinations.Count} runs over {bars} bars is {work:N0} bar-steps; a sweep makes at most {MaxSweepBarRuns:N0}: fewer runs, bars or symbols.");
        }

        // A client that hung up reads no answer: the runs left stop rather than take a core for nobody (seconds near the bound).
        var hungUp = RequestContext.Get(RequestContextKeys.RequestAborted) is CancellationToken aborted ? aborted : CancellationToken.None;
        var runs = new List<BacktestSweepRun>();
        var refused = new List<BacktestSweepRefusal>();
        foreach (var parameters in combinations)
        {
            if (hungUp.IsCancellationRequested)
            {
                return new BacktestSweepAnswer(false, null, StrategyErrorCodes.Canceled,
                    $"The caller hung up; the sweep stopped after {runs.Count + refused.Count} of its {combinations.Count} runs.");
            }

            if (SweepRun(backtest, parameters, ready, validation, checking, out var message) is { } run)
            {
                runs.Add(run);
            }
            else
            {
                refused.Add(new BacktestSweepRefusal(parameters, message ?? "refused"));
            }
        }

        if (runs.Count == 0)
        {
            return new BacktestSweepAnswer(false, null, StrategyErrorCodes.InvalidParameters,
                $"The kind refused every combination of the grid; the first: {refused[0].Message}");
        }

        return new BacktestSweepAnswer(true, new BacktestSweepReport
        {
            Kind = backtest.Kind,
            BarInterval = backtest.BarInterval,
            Symbols = [.. ready.Read.Select(r => r.Report)],
            RankBy = command.RankBy,
            Runs = Rank(runs, command.RankBy),
            Refused = refused,
            ValidationSymbols = checking is null ? null : [.. checking.Read.Select(r => r.Report)],
        });
    }

    /// <summary>The fee model and the bars every run of a command shares, or why there are none.</summary>
    private async Task<(Prepared? Ready, (string Code, string Message)? Failure)> PrepareAsync(RunBacktest command)
    {
        var fees = FeeModelFactory.Create(command.FeeModel);
        if (!fees.IsSuccess)
        {
            return (null, (FeeModelSpec.InvalidCode, fees.Error!.Message));
        }

        if (command.Source == BacktestSource.Files && files.Value.DataPath is not { Length: > 0 })
        {
            return (null, (StrategyErrorCodes.NoFiles, StrategyErrorCodes.NoFilesMessage));
        }

        var now = time.GetUtcNow();
        var before = command.End is { } end && end < now ? end : now;
        var read = await ReadBarsAsync(command, before);
        // Every symbol needs bars: a basket run without one of its legs would answer a P&L as if that leg had been traded.
        var missing = read.Where(r => r.Bars.Count == 0).Select(r => r.Report).ToList();
        if (missing.Count > 0)
        {
            // The whole window the bars were asked from: a start past a symbol's last file otherwise read as no files at all.
            var from = command.Start is { } start ? $" starting at or after {start:O}" : null;
            var by = before < now ? $" ending by {before:O}" : null;
            var window = from is null ? by : by is null ? from : $"{from} and{by}";
            return (null, (StrategyErrorCodes.NoBars,
                $"No {IntervalName(command.BarInterval)} bars of {string.Join(", ", missing.Select(m => m.Symbol))}"
                + (window ?? (command.Source == BacktestSource.Files ? string.Empty : " yet"))
                + (command.Source == BacktestSource.Files ? " in the market-data files." : ", in the silo or its history sources.")
                + string.Concat(missing.Where(m => m.Problem is not null).Select(m => $" {m.Symbol}: {m.Problem}"))));
        }

        var bars = read.SelectMany(r => r.Bars).OrderBy(b => b.Start).ThenBy(b => b.Symbol, StringComparer.Ordinal).ToList();
        return (new Prepared(fees.GetValueOrThrow(), read, bars), null);
    }

    private BacktestReport Run(RunBacktest command, IReadOnlyDictionary<string, string> parameters, IStrategy strategy, Prepared ready)
    {
        var model = ready.Fees;
        var result = Backtester.Run(strategy, ready.Bars, new BacktestOptions
        {
            StrategyId = "backtest",
            InitialCash = command.InitialCash,
            FillPolicy = command.FillAtSignalClose ? BacktestFillPolicies.SignalBarClose : BacktestFillPolicies.NextBarOpen,
            SlippageBps = command.SlippageBps,
            Fee = input => model.Calculate(input).Total,
            // DAY orders end with the silo's sessions, as at its paper exchange.
            Calendar = environment.Calendar,
        });
        var endingEquity = result.EquityCurve.Count > 0 ? result.EquityCurve[^1].Equity : result.Cash;
        var regularSessionBars = command.BarInterval == TimeSpan.FromSeconds(1) ? RegularSessionMinutes * 60
            : command.BarInterval == CsvBarHistory.OneDay ? 1
            : RegularSessionMinutes;
        var barsPerYear = PerformanceStatistics.PeriodsPerYear(result.EquityCurve, regularSessionBars, SessionsPerYear);
        return new BacktestReport
        {
            Kind = command.Kind,
            Parameters = parameters,
            BarInterval = command.BarInterval,
            Symbols = [.. ready.Read.Select(r => r.Report)],
            InitialCash = command.InitialCash,
            SlippageBps = command.SlippageBps,
            EndingCash = result.Cash,
            EndingEquity = endingEquity,
            NetPnl = endingEquity - command.InitialCash,
            TotalFees = result.TotalFees,
            Orders = result.Intents.Count,
            Fills = result.Executions.Count,
            OpenPositions = [.. result.Positions.Values.Where(p => p.Quantity != 0m).OrderBy(p => p.Symbol, StringComparer.Ordinal)
                .Select(p => new BacktestPosition(p.Symbol, p.Quantity, p.AverageEntryPrice))],
            Statistics = result.ComputeStatistics(barsPerYear),
            RoundTrips = result.RoundTrips,
            EquityCurve = Thin(result.EquityCurve, BacktestReport.MaxEquityPoints),
        };
    }

    /// <summary>At most <paramref name="max"/> of the points, evenly spaced by index, the first and the last included.</summary>
    internal static IReadOnlyList<EquityPoint> Thin(IReadOnlyList<EquityPoint> points, int max)
    {
        if (points.Count <= max)
        {
            return points;
        }

        var step = (points.Count - 1) / (double)(max - 1);
        return [.. Enumerable.Range(0, max).Select(i => points[(int)Math.Round(i * step)])];
    }

    /// <summary>One combination's run on the first window and, when there is one, on the validation window; null when the kind refuses it.</summary>
    private BacktestSweepRun? SweepRun(
        RunBacktest backtest, IReadOnlyDictionary<string, string> parameters, Prepared ready, RunBacktest? validation, Prepared? checking, out string? refusal)
    {
        if (!StrategyFactory.TryCreate(strategies, backtest.Kind, backtest.Symbols, parameters, out var strategy, out _, out refusal))
        {
            return null;
        }

        if (StrategyQuantityCheck.Refusal(environment, backtest.Kind, backtest.Symbols, parameters) is { } quantityRefusal)
        {
            refusal = quantityRefusal;
            return null;
        }

        // A strategy keeps state from the bars it saw: the validation window gets a fresh one.
        var validated = validation is not null && StrategyFactory.TryCreate(strategies, backtest.Kind, backtest.Symbols, parameters, out var fresh, out _, out _)
            ? Outcome(Run(validation, parameters, fresh, checking!))
            : null;
        var outcome = Outcome(Run(backtest, parameters, strategy, ready));
        return new BacktestSweepRun
        {
            Parameters = parameters,
            EndingEquity = outcome.EndingEquity,
            NetPnl = outcome.NetPnl,
            TotalFees = outcome.TotalFees,
            Fills = outcome.Fills,
            Statistics = outcome.Statistics,
            Validation = validated,
        };
    }

    private static BacktestOutcome Outcome(BacktestReport report) => new()
    {
        EndingEquity = report.EndingEquity, NetPnl = report.NetPnl, TotalFees = report.TotalFees, Fills = report.Fills, Statistics = report.Statistics,
    };

    /// <summary>Every combination of the grid's values (names in ordinal order, values as given) over the shared parameters.</summary>
    private static List<IReadOnlyDictionary<string, string>> Combinations(
        IReadOnlyDictionary<string, string> shared, IReadOnlyDictionary<string, IReadOnlyList<string>> grid)
    {
        var combinations = new List<Dictionary<string, string>> { new(shared, StringComparer.Ordinal) };
        foreach (var (name, values) in grid.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            combinations = [.. combinations.SelectMany(c => values.Select(v => new Dictionary<string, string>(c, StringComparer.Ordinal) { [name] = v }))];
        }

        return [.. combinations];
    }

    /// <summary>
    /// Best first by the ranking's figure; runs without it (no trades, no volatility) last; ties keep grid order. A profit
    /// factor with wins and no losses is undefined (infinite) in the statistics, and ranks first.
    /// </summary>
    internal static List<BacktestSweepRun> Rank(List<BacktestSweepRun> runs, BacktestRanking rankBy)
    {
        Func<BacktestSweepRun, double?> figure = rankBy switch
        {
            BacktestRanking.SharpeRatio => r => r.Statistics.SharpeRatio,
            BacktestRanking.SortinoRatio => r => r.Statistics.SortinoRatio,
            BacktestRanking.ProfitFactor => r => (double?)r.Statistics.ProfitFactor
                ?? (r.Statistics is { WinningTrades: > 0, LosingTrades: 0 } ? double.PositiveInfinity : null),
            BacktestRanking.MaxDrawdown => r => -(double)r.Statistics.MaxDrawdown,
            _ => r => (double)r.NetPnl,
        };
        return [.. runs.OrderBy(r => figure(r) is null).ThenByDescending(r => figure(r) ?? 0d)];
    }

    private static string? SweepRefusal(RunBacktestSweep command)
    {
        if (command.Validation is { } window && window.Start >= window.End)
        {
            return "The validation window's start must be before its end.";
        }

        if (command.Grid.Count == 0)
        {
            return "A sweep needs at least one parameter with values to try.";
        }

        if (command.Grid.FirstOrDefault(g => g.Value.Count == 0) is { Key: { } empty })
        {
            return $"Parameter \"{empty}\" has no values to try.";
        }

        // Names are case-insensitive to the kinds: "Quantity" swept over a fixed "quantity" is the same parameter.
        if (command.Grid.Keys.FirstOrDefault(k => command.Backtest.Parameters.Keys.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } both)
        {
            return $"Parameter \"{both}\" is both fixed and swept; give it in one place.";
        }

        // Capped at int.MaxValue (product and count both below 2^31, so no overflow): many long lists cannot wrap to a small count.
        var runs = command.Grid.Values.Aggregate(1L, (product, values) => Math.Min(product * values.Count, int.MaxValue));
        return runs > RunBacktestSweep.MaxRuns ? $"The grid makes {runs} runs; at most {RunBacktestSweep.MaxRuns}." : null;
    }

    private sealed record Prepared(IFeeModel Fees, IReadOnlyList<(IReadOnlyList<Bar> Bars, SymbolBars Report)> Read, IReadOnlyList<Bar> Bars);

    /// <summary>Each symbol's bars from the command's source, from its start on, and the report of where they came from.</summary>
    private async Task<IReadOnlyList<(IReadOnlyList<Bar> Bars, SymbolBars Report)>> ReadBarsAsync(RunBacktest command, DateTimeOffset before)
    {
        var read = command.Source == BacktestSource.Files
            ? ReadFiles(new CsvBarHistory(files.Value.DataPath!, validation.Value.MaxPrice), command, before)
            : await barsReader.ReadAsync(GrainFactory, command.Symbols, command.BarInterval, command.Bars, before, command.Start);
        return command.Start is { } from ? [.. read.Select(r => (r.Bars, Capped(r.Bars, r.Report, from, command.Bars)))] : read;
    }

    public Task<IReadOnlyList<BacktestFileSet>?> ListFilesAsync() => Task.FromResult(catalog.List());

    /// <summary>Each symbol's latest bars in the files; a file that cannot be read is that symbol's problem, not the whole run's.</summary>
    private static IReadOnlyList<(IReadOnlyList<Bar> Bars, SymbolBars Report)> ReadFiles(CsvBarHistory history, RunBacktest command, DateTimeOffset before)
    {
        var read = new List<(IReadOnlyList<Bar>, SymbolBars)>(command.Symbols.Count);
        foreach (var symbol in command.Symbols)
        {
            IReadOnlyList<Bar> bars = [];
            string? problem;
            if (!CsvBarHistory.CanNameFile(symbol))
            {
                // A class share (BRK/B): said in words, not in the reader's argument exception with its parameter's name.
                read.Add((bars, LatestBarsReader.Report(symbol, bars, "files", "a market-data file's name cannot hold its '/'.")));
                continue;
            }

            try
            {
                var found = history.ReadLatest(symbol, command.BarInterval, command.Bars, before, command.Start);
                bars = found.Bars;
                problem = found.SkippedRows > 0 ? $"{found.SkippedRows} unreadable or inconsistent rows skipped" : null;
            }
            catch (Exception ex) when (ex is CsvFormatException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                problem = ex.Message;
            }

            read.Add((bars, LatestBarsReader.Report(symbol, bars, "files", problem)));
        }

        return read;
    }

    /// <summary>Says so when the bars cap, not the start, decided where the run begins.</summary>
    private static SymbolBars Capped(IReadOnlyList<Bar> bars, SymbolBars report, DateTimeOffset start, int cap)
    {
        if (bars.Count < cap || bars[0].Start - start < bars[0].Interval)
        {
            return report;
        }

        var note = $"only the latest {cap} bars, from {bars[0].Start:O}: raise bars or move the start";
        return report with { Problem = report.Problem is null ? note : $"{report.Problem}; {note}" };
    }

    private static string IntervalName(TimeSpan interval) =>
        interval == TimeSpan.FromSeconds(1) ? "one-second" : interval == CsvBarHistory.OneDay ? "daily" : "one-minute";

    private static string? Refusal(RunBacktest command) =>
        command.Source == BacktestSource.Latest && command.BarInterval != TimeSpan.FromMinutes(1) && command.BarInterval != TimeSpan.FromSeconds(1)
            ? "The bar interval is one minute or one second."
        : command.Source == BacktestSource.Files && !CsvBarHistory.Serves(command.BarInterval) ? "From files the bar interval is one minute or one day."
        : command.Source == BacktestSource.Latest && command.Bars is < 1 or > RunBacktest.MaxBars ? $"Bars must be 1 to {RunBacktest.MaxBars} per symbol; got {command.Bars}."
        : command.Bars is < 1 or > RunBacktest.MaxFileBars ? $"Bars must be 1 to {RunBacktest.MaxFileBars} per symbol from files; got {command.Bars}."
        : command.Start is { } start && command.End is { } end && start >= end ? "The start must be before the end."
        : command.InitialCash is <= 0m or > 1_000_000_000_000m ? $"Initial cash must be positive and at most 1,000,000,000,000; got {command.InitialCash}."
        : command.SlippageBps is < 0m or > RunBacktest.MaxSlippageBps ? $"Slippage must be 0 to {RunBacktest.MaxSlippageBps} basis points; got {command.SlippageBps}."
        : command.Symbols.Count == 0 ? "A backtest needs at least one symbol."
        : null;
}
