namespace OrleansTrader.Grains.Abstractions;

/// <summary>What an account reports to its breaker after fills and revaluations.</summary>
public sealed record AccountSignals
{
    public decimal? DayPnl { get; init; }

    public decimal? Equity { get; init; }

    public decimal? HighWaterMark { get; init; }

    public required DateTimeOffset At { get; init; }
}
