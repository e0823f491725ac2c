using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>A change in the state of one of the strategy's orders, with the cumulative filled quantity.</summary>
public sealed record StrategyOrderUpdate
{
    public required string ClientOrderId { get; init; }

    public required OrderStatus Status { get; init; }

    public decimal FilledQuantity { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Message { get; init; }

    /// <summary>True for states an order never leaves.</summary>
    public bool IsFinal => Status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Replaced
        or OrderStatus.Rejected or OrderStatus.Denied or OrderStatus.Expired;
}
