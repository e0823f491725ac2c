using OrleansTrader.Domain.Breaker;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Breakers;

/// <summary>A breaker's persisted state: status, policy, latest signals, audit (bounded) and, for the global one, listeners.</summary>
internal sealed record BreakerState
{
    public BreakerStatus Status { get; set; } = BreakerStatus.Active;

    public long Version { get; set; }

    public string? LastReason { get; set; }

    public string? LastActor { get; set; }

    public BreakerPolicy Policy { get; set; } = BreakerPolicy.Default;

    public decimal? DayPnl { get; set; }

    /// <summary>When <see cref="DayPnl"/> was reported: it is judged on its trading date only (the calendar's, as the account's day).</summary>
    public DateTimeOffset? DayPnlAt { get; set; }

    public decimal? Equity { get; set; }

    public decimal? HighWaterMark { get; set; }

    public DateTimeOffset? LastMarketDataAt { get; set; }

    /// <summary>The error-rate window: broker calls counted per second (see <see cref="BrokerOutcomeWindow"/>).</summary>
    public List<BrokerOutcome> Outcomes { get; set; } = [];

    public List<BreakerAuditEntry> Audit { get; set; } = [];

    public List<string> Listeners { get; set; } = [];
}
