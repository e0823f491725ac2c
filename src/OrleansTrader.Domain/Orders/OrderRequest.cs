namespace OrleansTrader.Domain.Orders;

/// <summary>
/// What a client asks for. <see cref="ClientOrderId"/> is the idempotency key end to end: the gateway, the
/// account and the broker all answer a repeat with the existing order.
/// </summary>
public sealed record OrderRequest
{
    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public required decimal Quantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public TimeInForce TimeInForce { get; init; } = TimeInForce.Day;

    public OrderClass OrderClass { get; init; } = OrderClass.Simple;

    public ExitLeg? TakeProfit { get; init; }

    public ExitLeg? StopLoss { get; init; }

    public bool ExtendedHours { get; init; }
}
