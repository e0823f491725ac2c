using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// Backtests a strategy kind on the latest bars of its symbols (the same history a warm-up reads) with the domain's
/// backtester: nothing is traded or stored. Key 0; the grain is a stateless worker, so backtests run side by side.
/// </summary>
public interface IBacktestGrain : IGrainWithIntegerKey
{
    Task<BacktestAnswer> RunAsync(RunBacktest command);

    /// <summary>Runs the backtest once per combination of the grid's values, on bars read once, and ranks the runs.</summary>
    Task<BacktestSweepAnswer> SweepAsync(RunBacktestSweep command);

    /// <summary>What the silo's folder of market-data files holds per symbol; null when the silo has no such folder.</summary>
    Task<IReadOnlyList<BacktestFileSet>?> ListFilesAsync();
}
