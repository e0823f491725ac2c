namespace OrleansTrader.Domain.Statistics;

/// <summary>
/// Performance figures. Every figure that is undefined for the input (too few points, no trades, no losses, zero
/// variance) is null; none is ever NaN or infinite. Fractions are plain ratios (0.05 = 5 %).
/// Money and price-derived ratios are decimal; return-distribution figures (which need powers and square roots)
/// are double.
/// </summary>
public sealed record PerformanceReport
{
    /// <summary>Equity points - 1.</summary>
    public required int Periods { get; init; }

    /// <summary>last / first - 1.</summary>
    public decimal? TotalReturn { get; init; }

    /// <summary>(1 + total)^(periodsPerYear / periods) - 1.</summary>
    public double? AnnualizedReturn { get; init; }

    /// <summary>Sample standard deviation of period returns × √periodsPerYear.</summary>
    public double? AnnualizedVolatility { get; init; }

    /// <summary>(mean period return - rf / periodsPerYear) / sample stddev × √periodsPerYear.</summary>
    public double? SharpeRatio { get; init; }

    /// <summary>(mean period return - rf / periodsPerYear) / downside deviation × √periodsPerYear.</summary>
    public double? SortinoRatio { get; init; }

    /// <summary>Largest fall from a running peak, as a fraction of that peak; 0 when equity never fell.</summary>
    public required decimal MaxDrawdown { get; init; }

    /// <summary>Time from the peak before the largest drawdown until equity first regained it (or until the last point).</summary>
    public required TimeSpan MaxDrawdownDuration { get; init; }

    /// <summary>Whether equity regained the peak of the largest drawdown.</summary>
    public required bool MaxDrawdownRecovered { get; init; }

    /// <summary>Longest time spent below a running peak, whichever drawdown it was.</summary>
    public required TimeSpan LongestDrawdownDuration { get; init; }

    public required int TradeCount { get; init; }

    public required int WinningTrades { get; init; }

    public required int LosingTrades { get; init; }

    /// <summary>Winning trades / all trades (net of fees; a zero result is neither win nor loss).</summary>
    public decimal? WinRate { get; init; }

    /// <summary>Gross net profit of winners / |gross net loss of losers|; null without trades or without losses.</summary>
    public decimal? ProfitFactor { get; init; }

    public decimal? AverageWin { get; init; }

    /// <summary>Average net loss of losing trades, as a negative number.</summary>
    public decimal? AverageLoss { get; init; }

    /// <summary>Fraction of the curve's time span during which some trade was open.</summary>
    public double? Exposure { get; init; }

    /// <summary>Traded notional (entries and exits) / average equity.</summary>
    public decimal? Turnover { get; init; }

    public required decimal TotalFees { get; init; }
}
