using OrleansTrader.Domain.Breaker;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>A breaker's state. <see cref="Version"/> grows with every transition, so listeners keep the newest.</summary>
public sealed record BreakerSnapshot
{
    public required string BreakerId { get; init; }

    public required TradingState State { get; init; }

    public DateTimeOffset? Since { get; init; }

    public BreakerTrigger? LastTrigger { get; init; }

    public string? LastReason { get; init; }

    public string? LastActor { get; init; }

    public required long Version { get; init; }
}
