using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One backtest per combination of the grid's parameter values, all on the same bars (read once), ranked by a statistic.
/// The backtest's own parameters are the ones every run shares.
/// </summary>
public sealed record RunBacktestSweep
{
    /// <summary>The most runs one sweep makes: the product of the grid's value counts.</summary>
    public const int MaxRuns = 200;

    public required RunBacktest Backtest { get; init; }

    /// <summary>Per parameter name, the values to try.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Grid { get; init; }

    public BacktestRanking RankBy { get; init; } = BacktestRanking.NetPnl;

    /// <summary>
    /// A second window every run is also backtested on (bars from the same source, read once): the ranking stays the first
    /// window's, and each run shows how it did on bars it was not chosen on.
    /// </summary>
    public BacktestWindow? Validation { get; init; }
}

/// <summary>The bars that started at or after <see cref="Start"/> and ended by <see cref="End"/>.</summary>
public sealed record BacktestWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>What a sweep's runs are ordered by: the best first, runs without the figure last.</summary>
public enum BacktestRanking
{
    /// <summary>Highest net P&amp;L.</summary>
    NetPnl = 0,

    /// <summary>Highest Sharpe ratio.</summary>
    SharpeRatio,

    /// <summary>Highest Sortino ratio.</summary>
    SortinoRatio,

    /// <summary>Highest profit factor.</summary>
    ProfitFactor,

    /// <summary>Smallest maximum drawdown.</summary>
    MaxDrawdown,
}

/// <summary>A sweep's report, or why it could not run (<see cref="StrategyErrorCodes"/>).</summary>
public sealed record BacktestSweepAnswer(bool Succeeded, BacktestSweepReport? Report, string? ErrorCode = null, string? Message = null);

public sealed record BacktestSweepReport
{
    public required string Kind { get; init; }

    public required TimeSpan BarInterval { get; init; }

    /// <summary>Per symbol, the bars every run used and where they came from.</summary>
    public required IReadOnlyList<SymbolBars> Symbols { get; init; }

    public required BacktestRanking RankBy { get; init; }

    /// <summary>The runs, best first.</summary>
    public required IReadOnlyList<BacktestSweepRun> Runs { get; init; }

    /// <summary>Combinations the strategy kind refused (say a fast period not under the slow one), with the reason.</summary>
    public required IReadOnlyList<BacktestSweepRefusal> Refused { get; init; }

    /// <summary>Per symbol, the bars of the validation window (none without one).</summary>
    public IReadOnlyList<SymbolBars>? ValidationSymbols { get; init; }
}

/// <summary>One run of a sweep: its full parameters, what it made, and what it made on the validation window.</summary>
public sealed record BacktestSweepRun
{
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required decimal EndingEquity { get; init; }

    public required decimal NetPnl { get; init; }

    public required decimal TotalFees { get; init; }

    public required int Fills { get; init; }

    public required PerformanceReport Statistics { get; init; }

    public BacktestOutcome? Validation { get; init; }
}

/// <summary>What one backtest made.</summary>
public sealed record BacktestOutcome
{
    public required decimal EndingEquity { get; init; }

    public required decimal NetPnl { get; init; }

    public required decimal TotalFees { get; init; }

    public required int Fills { get; init; }

    public required PerformanceReport Statistics { get; init; }
}

public sealed record BacktestSweepRefusal(IReadOnlyDictionary<string, string> Parameters, string Message);
