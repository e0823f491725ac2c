using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>What to backtest, on how many of the latest bars, with what money.</summary>
public sealed record RunBacktest
{
    /// <summary>The most bars per symbol a backtest reads: what the symbol grains keep of one-second bars.</summary>
    public const int MaxBars = 3_600;

    public required string Kind { get; init; }

    public required IReadOnlyList<string> Symbols { get; init; }

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>One minute or one second.</summary>
    public TimeSpan BarInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The latest bars per symbol to run on, 1 to <see cref="MaxBars"/>.</summary>
    public int Bars { get; init; } = 1_000;

    /// <summary>Run on the bars that ended by then (default: now), e.g. last week's with a history source.</summary>
    public DateTimeOffset? End { get; init; }

    public decimal InitialCash { get; init; } = 100_000m;

    public FeeModelSpec FeeModel { get; init; } = FeeModelSpec.Default;

    /// <summary>Fill an intent at the close of the bar that made it, instead of at the next bar's open (the default).</summary>
    public bool FillAtSignalClose { get; init; }
}
