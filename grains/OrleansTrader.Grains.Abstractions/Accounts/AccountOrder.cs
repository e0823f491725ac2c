using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>An order as the account knows it. <see cref="OrderId"/> is the account's id; <see cref="BrokerOrderId"/> the venue's.</summary>
public sealed record AccountOrder
{
    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public string? BrokerOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public required TimeInForce TimeInForce { get; init; }

    public required decimal Quantity { get; init; }

    public decimal FilledQuantity { get; init; }

    public decimal LeavesQuantity { get; init; }

    public decimal? AverageFillPrice { get; init; }

    public decimal? LimitPrice { get; init; }

    /// <summary>
    /// The stop price. For a working trailing stop, the level it stands at now, as the broker reports it when the order is
    /// read (null until the broker has seen a trade since it accepted the order).
    /// </summary>
    public decimal? StopPrice { get; init; }

    /// <summary>A trailing stop's trail in price; null for other orders and for a trail in percent.</summary>
    public decimal? TrailPrice { get; init; }

    /// <summary>A trailing stop's trail in percent; null for other orders and for a trail in price.</summary>
    public decimal? TrailPercent { get; init; }

    /// <summary>
    /// A working trailing stop's water mark, as the broker reports it when the order is read: the highest trade price since
    /// it was accepted for a sell, the lowest for a buy. <see cref="StopPrice"/> stands the trail away from it.
    /// </summary>
    public decimal? HighWaterMark { get; init; }

    public required OrderStatus Status { get; init; }

    /// <summary>True while the broker's answer is unknown (timeout, disconnect) until reconciliation resolves it.</summary>
    public bool InFlight { get; init; }

    public string? StatusReason { get; init; }

    /// <summary>Bracket, Oco or Oto for the order placed with exit legs; null for a simple order (an exit leg is one).</summary>
    public OrderClass? OrderClass { get; init; }

    /// <summary>
    /// True for an order that may also fill in the extended hours; null for one that fills in the regular session only (as
    /// <see cref="OrderClass"/> is null for a simple order, so the stored views of the many regular orders grow by nothing).
    /// </summary>
    public bool? ExtendedHours { get; init; }

    /// <summary>The take-profit a bracket, OCO or OTO was placed with (its exit leg is an order of its own); null otherwise.</summary>
    public ExitLeg? TakeProfit { get; init; }

    /// <summary>The stop-loss a bracket, OCO or OTO was placed with (its exit leg is an order of its own); null otherwise.</summary>
    public ExitLeg? StopLoss { get; init; }

    /// <summary>For an exit leg of a bracket, OCO or OTO: the account's id of the order it was placed with.</summary>
    public string? ParentOrderId { get; init; }

    public string? ReplacesOrderId { get; init; }

    public string? ReplacedByOrderId { get; init; }

    public required string Origin { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
