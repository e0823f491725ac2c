using System.ComponentModel;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A backtest: what to run, on which bars, with what money.</summary>
public record RunBacktestRequest
{
    /// <summary>A strategy kind the silo runs (GET /api/strategy-kinds).</summary>
    [RequiredField]
    public string? Kind { get; init; }

    [RequiredField]
    public IReadOnlyList<string>? Symbols { get; init; }

    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>
    /// "latest" (default): the latest bars the silo can read (its history sources, then its symbol grains). "files": the
    /// silo's folder of market-data files (Backtests:DataPath), real history.
    /// </summary>
    [AcceptedValues(typeof(BacktestSource))]
    public string? Source { get; init; }

    [Description("\"1m\" (default) or \"1s\" bars; from files \"1m\" or \"1d\" (400 otherwise); exactly so written.")]
    [AcceptedValues("1s", "1m", "1d")]
    public string? BarInterval { get; init; }

    /// <summary>
    /// The latest bars per symbol to run on: 1 to 3,600 (from files 1 to 20,000); default 1,000, or the most allowed
    /// when <see cref="Start"/> is given.
    /// </summary>
    public int? Bars { get; init; }

    /// <summary>Run only on bars that started at or after this time (ISO 8601 with its offset); default: as many as <see cref="Bars"/> allows.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Run on the bars that ended by this time (ISO 8601 with its offset); default now.</summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>Default 100,000.</summary>
    public decimal? InitialCash { get; init; }

    /// <summary>As for an account; default zero commission with regulatory fees.</summary>
    public FeeModelRequest? FeeModel { get; init; }

    /// <summary>"nextBarOpen" (default) or "signalBarClose".</summary>
    [AcceptedValues(typeof(BacktestFill))]
    public string? Fill { get; init; }

    /// <summary>Adverse slippage on every fill in basis points, 0 (default) to 1,000; a limit fill never goes past its limit.</summary>
    public decimal? SlippageBps { get; init; }
}

/// <summary>A backtest run once per combination of <see cref="Grid"/>'s values, ranked.</summary>
public sealed record RunBacktestSweepRequest : RunBacktestRequest
{
    /// <summary>Per parameter name, the values to try (strings, as parameters are); at most 200 combinations.</summary>
    [RequiredField]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Grid { get; init; }

    /// <summary>"netPnl" (default), "sharpeRatio", "sortinoRatio", "profitFactor" or "maxDrawdown" (smallest first).</summary>
    [AcceptedValues(typeof(BacktestRanking))]
    public string? RankBy { get; init; }

    /// <summary>A second window (start and end) every run is also backtested on; the ranking stays the first window's.</summary>
    public BacktestWindowRequest? Validation { get; init; }
}

public sealed record BacktestWindowRequest
{
    [RequiredField]
    public DateTimeOffset? Start { get; init; }

    [RequiredField]
    public DateTimeOffset? End { get; init; }
}
