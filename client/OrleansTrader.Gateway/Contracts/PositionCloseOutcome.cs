using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>One position's outcome in DELETE /api/accounts/{accountId}/positions (close all): its closing order, or why there is none.</summary>
public sealed record PositionCloseOutcome
{
    public required string Symbol { get; init; }

    public AccountOrder? Order { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }
}
