using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>An account's breaker together with the global kill switch that also applies to it.</summary>
public sealed record TradingStateResponse
{
    public required BreakerSnapshot Account { get; init; }

    public required BreakerSnapshot Global { get; init; }
}
