using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers;

/// <summary>An order as the venue reports it.</summary>
public sealed record BrokerOrder
{
    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public required TimeInForce TimeInForce { get; init; }

    public OrderClass OrderClass { get; init; } = OrderClass.Simple;

    public required decimal Quantity { get; init; }

    public decimal FilledQuantity { get; init; }

    public decimal? AverageFillPrice { get; init; }

    public decimal? LimitPrice { get; init; }

    /// <summary>The stop price; for a trailing stop, the level it stands at now (null until the venue has seen a trade).</summary>
    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    /// <summary>
    /// A trailing stop's water mark: the highest trade price since it was accepted for a sell, the lowest for a buy. The
    /// stop stands that trail away from it.
    /// </summary>
    public decimal? HighWaterMark { get; init; }

    public required OrderStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>For a Replaced order, the id of the order that replaced it.</summary>
    public string? ReplacedByOrderId { get; init; }

    /// <summary>For a replacement, the id of the order it replaced.</summary>
    public string? ReplacesOrderId { get; init; }

    /// <summary>For a bracket/OCO/OTO child, its parent's id.</summary>
    public string? ParentOrderId { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>Child orders of a bracket, OCO or OTO order.</summary>
    public IReadOnlyList<BrokerOrder> Legs { get; init => field = value ?? []; } = [];

    /// <summary>Why the venue rejected or canceled it, when it said.</summary>
    public string? Reason { get; init; }
}
