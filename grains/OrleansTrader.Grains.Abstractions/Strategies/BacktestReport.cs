using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of a backtest: the bars it ran on, the money at the end, the round trips and their statistics.</summary>
public sealed record BacktestReport
{
    /// <summary>The most points <see cref="EquityCurve"/> holds.</summary>
    public const int MaxEquityPoints = 500;

    public required string Kind { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required TimeSpan BarInterval { get; init; }

    /// <summary>Per symbol, the bars used and where they came from.</summary>
    public required IReadOnlyList<SymbolBars> Symbols { get; init; }

    public required decimal InitialCash { get; init; }

    /// <summary>The slippage every fill took, in basis points.</summary>
    public decimal SlippageBps { get; init; }

    public required decimal EndingCash { get; init; }

    /// <summary>Cash plus the open positions at the last closes.</summary>
    public required decimal EndingEquity { get; init; }

    /// <summary>Ending equity minus initial cash: realized and unrealized P&amp;L after fees.</summary>
    public required decimal NetPnl { get; init; }

    public required decimal TotalFees { get; init; }

    /// <summary>Orders the strategy asked for.</summary>
    public required int Orders { get; init; }

    public required int Fills { get; init; }

    /// <summary>Positions still open after the last bar.</summary>
    public required IReadOnlyList<BacktestPosition> OpenPositions { get; init; }

    public required PerformanceReport Statistics { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>
    /// Equity after each bar, thinned to at most <see cref="MaxEquityPoints"/> evenly spaced points (the first and last
    /// always among them), for a chart; the statistics are computed on every bar.
    /// </summary>
    public IReadOnlyList<EquityPoint> EquityCurve { get; init => field = value ?? []; } = [];

    /// <summary>Closed round trips, oldest first.</summary>
    public required IReadOnlyList<RoundTripTrade> RoundTrips { get; init; }
}

public sealed record BacktestPosition(string Symbol, decimal Quantity, decimal AverageEntryPrice);
