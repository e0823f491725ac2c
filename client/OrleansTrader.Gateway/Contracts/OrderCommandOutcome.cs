using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>One order's outcome in DELETE /api/accounts/{accountId}/orders (cancel all).</summary>
public sealed record OrderCommandOutcome
{
    public AccountOrder? Order { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }
}
