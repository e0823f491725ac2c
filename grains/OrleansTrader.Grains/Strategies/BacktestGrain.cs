using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Runs the domain backtester on the latest bars of a strategy's symbols, read as a warm-up reads them. Stateless: one
/// activation per core, so a long backtest does not queue the next one behind it.
/// </summary>
[StatelessWorker]
internal sealed class BacktestGrain(StrategyRegistry strategies, LatestBarsReader barsReader, TimeProvider time) : Grain, IBacktestGrain
{
    // The statistics annualize per bar: 252 sessions of 390 minutes.
    private const int MinuteBarsPerYear = 252 * 390;

    public async Task<BacktestAnswer> RunAsync(RunBacktest command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Refusal(command) is { } refusal)
        {
            return new BacktestAnswer(false, null, StrategyErrorCodes.InvalidParameters, refusal);
        }

        var fees = FeeModelFactory.Create(command.FeeModel);
        if (!fees.IsSuccess)
        {
            return new BacktestAnswer(false, null, FeeModelSpec.InvalidCode, fees.Error!.Message);
        }

        if (!StrategyFactory.TryCreate(strategies, command.Kind, command.Symbols, command.Parameters, out var strategy, out var code, out var message))
        {
            return new BacktestAnswer(false, null, code, message);
        }

        var now = time.GetUtcNow();
        var before = command.End is { } end && end < now ? end : now;
        var read = await barsReader.ReadAsync(GrainFactory, command.Symbols, command.BarInterval, command.Bars, before);
        var bars = read.SelectMany(r => r.Bars).OrderBy(b => b.Start).ThenBy(b => b.Symbol, StringComparer.Ordinal).ToList();
        if (bars.Count == 0)
        {
            return new BacktestAnswer(false, null, StrategyErrorCodes.NoBars,
                $"No {(command.BarInterval == TimeSpan.FromSeconds(1) ? "one-second" : "one-minute")} bars of {string.Join(", ", command.Symbols)}"
                + (before < now ? $" ending by {before:O}" : " yet") + ", in the silo or its history sources.");
        }

        var model = fees.GetValueOrThrow();
        var result = Backtester.Run(strategy, bars, new BacktestOptions
        {
            StrategyId = "backtest",
            InitialCash = command.InitialCash,
            FillPolicy = command.FillAtSignalClose ? BacktestFillPolicies.SignalBarClose : BacktestFillPolicies.NextBarOpen,
            Fee = input => model.Calculate(input).Total,
        });
        var endingEquity = result.EquityCurve.Count > 0 ? result.EquityCurve[^1].Equity : result.Cash;
        var barsPerYear = command.BarInterval == TimeSpan.FromSeconds(1) ? MinuteBarsPerYear * 60 : MinuteBarsPerYear;
        return new BacktestAnswer(true, new BacktestReport
        {
            Kind = command.Kind,
            Parameters = command.Parameters,
            BarInterval = command.BarInterval,
            Symbols = [.. read.Select(r => r.Report)],
            InitialCash = command.InitialCash,
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
        });
    }

    private static string? Refusal(RunBacktest command) =>
        command.BarInterval != TimeSpan.FromMinutes(1) && command.BarInterval != TimeSpan.FromSeconds(1) ? "The bar interval is one minute or one second."
        : command.Bars is < 1 or > RunBacktest.MaxBars ? $"Bars must be 1 to {RunBacktest.MaxBars} per symbol; got {command.Bars}."
        : command.InitialCash is <= 0m or > 1_000_000_000_000m ? $"Initial cash must be positive and at most 1,000,000,000,000; got {command.InitialCash}."
        : command.Symbols.Count == 0 ? "A backtest needs at least one symbol."
        : null;
}
