namespace OrleansTrader.Grains.Abstractions;

/// <summary>An account's days in a date range, oldest first (today's, still open, last), and the figures over them.</summary>
public sealed record AccountPerformance
{
    public required string AccountId { get; init; }

    public required IReadOnlyList<AccountDay> Days { get; init; }

    public required AccountPerformanceSummary Summary { get; init; }
}

/// <summary>
/// The figures over <see cref="AccountPerformance.Days"/>. Ratios are plain fractions (0.05 = 5 %). The totals, the total
/// return and the drawdown include today so far; the annualized figures use closed days only (a part of a day is not a
/// day's return) and are annualized on 365 a year, since a day is a calendar date (UTC, or New York's on the NYSE calendar) (weekends included, flat when the
/// market is closed). A figure that is undefined for the days given (fewer than two closed days, no variance, no losing
/// day) is null.
/// </summary>
public sealed record AccountPerformanceSummary
{
    public required int Days { get; init; }

    public decimal? StartEquity { get; init; }

    public decimal? EndEquity { get; init; }

    /// <summary>The sum of the days' P&amp;L: EndEquity - StartEquity - CashFlow when the days chain.</summary>
    public required decimal Pnl { get; init; }

    /// <summary>The cash transferred in and out over the days.</summary>
    public decimal CashFlow { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long Fills { get; init; }

    /// <summary>
    /// The days' returns compounded (time-weighted): EndEquity / StartEquity - 1 without transfers. A day's return is its
    /// P&amp;L over its start equity plus its net deposit (a deposit counts as made at the day's start, a withdrawal at its end, so
    /// no transfer magnifies the return). It starts at the first deposit:
    /// leading days with no equity and no transfer are left out of the returns and the drawdown.
    /// </summary>
    public decimal? TotalReturn { get; init; }

    /// <summary>The closed days' return, compounded to a year.</summary>

    public double? AnnualizedReturn { get; init; }

    public double? AnnualizedVolatility { get; init; }

    public double? SharpeRatio { get; init; }

    public double? SortinoRatio { get; init; }

    /// <summary>The largest fall of the compounded returns at the days' ends (today's so far included) from a running peak, as a fraction of that peak; with no transfers, of day-end equity.</summary>
    public required decimal MaxDrawdown { get; init; }

    /// <summary>Closed days with a positive P&amp;L.</summary>
    public required int WinningDays { get; init; }

    /// <summary>Closed days with a negative P&amp;L.</summary>
    public required int LosingDays { get; init; }

    /// <summary>The closed day with the highest P&amp;L (the earliest of equals).</summary>
    public DateOnly? BestDay { get; init; }

    /// <summary>The closed day with the lowest P&amp;L (the earliest of equals).</summary>
    public DateOnly? WorstDay { get; init; }
}
