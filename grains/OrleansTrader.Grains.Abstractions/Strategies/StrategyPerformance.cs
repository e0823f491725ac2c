namespace OrleansTrader.Grains.Abstractions;

/// <summary>A strategy's days in a date range, oldest first (today's, still open, last), and the figures over them.</summary>
public sealed record StrategyPerformance
{
    public required string AccountId { get; init; }

    public required string StrategyId { get; init; }

    public required IReadOnlyList<StrategyDay> Days { get; init; }

    public required StrategyPerformanceSummary Summary { get; init; }
}

/// <summary>
/// One trading day of a strategy's own trading (its fills, not the account's others), dated as the account's days. A day
/// ends within 5 s of the next trading date's midnight
/// while the strategy is active (else at its next activation or performance query), which is where the next one starts. A strategy has no capital of its own, so a
/// day reports P&amp;L, not a return.
/// </summary>
public sealed record StrategyDay
{
    public required DateOnly Date { get; init; }

    /// <summary>False for today, whose figures run up to <see cref="EndedAt"/> (the time of the query).</summary>
    public required bool Closed { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>The change in the strategy's realized P&amp;L less fees plus unrealized P&amp;L of its positions at the marks.</summary>
    public required decimal Pnl { get; init; }

    /// <summary>P&amp;L realized by the day's fills, before fees.</summary>
    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long Fills { get; init; }
}

/// <summary>The totals over <see cref="StrategyPerformance.Days"/>; the day counts and best and worst are of closed days.</summary>
public sealed record StrategyPerformanceSummary
{
    public required int Days { get; init; }

    public required decimal Pnl { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required long Fills { get; init; }

    public required int WinningDays { get; init; }

    public required int LosingDays { get; init; }

    public DateOnly? BestDay { get; init; }

    public DateOnly? WorstDay { get; init; }

    public static StrategyPerformanceSummary Of(IReadOnlyList<StrategyDay> days)
    {
        var closed = days.Where(d => d.Closed).ToList();
        return new StrategyPerformanceSummary
        {
            Days = days.Count,
            Pnl = days.Sum(d => d.Pnl),
            RealizedPnl = days.Sum(d => d.RealizedPnl),
            Fees = days.Sum(d => d.Fees),
            Fills = days.Sum(d => d.Fills),
            WinningDays = closed.Count(d => d.Pnl > 0m),
            LosingDays = closed.Count(d => d.Pnl < 0m),
            BestDay = closed.Count > 0 ? closed.MaxBy(d => d.Pnl)!.Date : null,
            WorstDay = closed.Count > 0 ? closed.MinBy(d => d.Pnl)!.Date : null,
        };
    }
}
