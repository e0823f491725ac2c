using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>What to backtest, on how many of the latest bars, with what money.</summary>
public sealed record RunBacktest
{
    /// <summary>The most bars per symbol a backtest reads: what the symbol grains keep of one-second bars.</summary>
    public const int MaxBars = 3_600;

    /// <summary>The most bars per symbol read from market-data files: about 23 years of daily bars, 21 sessions of minutes.</summary>
    public const int MaxFileBars = 20_000;

    /// <summary>The most slippage a backtest takes, the paper exchange's own bound.</summary>
    public const decimal MaxSlippageBps = 1_000m;

    public required string Kind { get; init; }

    public required IReadOnlyList<string> Symbols { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyDictionary<string, string> Parameters { get; init => field = value ?? new Dictionary<string, string>(); } = new Dictionary<string, string>();

    /// <summary>Where the bars come from: the latest the silo can read (default), or its folder of market-data files.</summary>
    public BacktestSource Source { get; init; } = BacktestSource.Latest;

    /// <summary>One minute or one second; from files one minute or one day.</summary>
    public TimeSpan BarInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The latest bars per symbol to run on, 1 to <see cref="MaxBars"/> (<see cref="MaxFileBars"/> from files).</summary>
    public int Bars { get; init; } = 1_000;

    /// <summary>Run on the bars that ended by then (default: now), e.g. last week's with a history source.</summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>Run only on bars that started at or after this time; <see cref="Bars"/> still caps how many (the latest).</summary>
    public DateTimeOffset? Start { get; init; }

    public decimal InitialCash { get; init; } = 100_000m;

    public FeeModelSpec FeeModel { get; init => field = value ?? FeeModelSpec.Default; } = FeeModelSpec.Default;

    /// <summary>Fill an intent at the close of the bar that made it, instead of at the next bar's open (the default).</summary>
    public bool FillAtSignalClose { get; init; }

    /// <summary>Adverse slippage on every fill in basis points, as the paper exchange applies it (a limit fill never past its limit).</summary>
    public decimal SlippageBps { get; init; }
}

/// <summary>Where a backtest reads its bars.</summary>
public enum BacktestSource
{
    /// <summary>The silo's history sources (Alpaca's when the feed is Alpaca), then the bars its symbol grains hold.</summary>
    Latest = 0,

    /// <summary>The folder of market-data files the silo is configured with (Backtests:DataPath): real history, years of it.</summary>
    Files = 1,
}
