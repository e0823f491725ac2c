using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>PATCH .../orders/{orderId}: unset fields keep their value; quantity is the new total.</summary>
public sealed record ReplaceOrderRequest
{
    public decimal? Quantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    [AcceptedValues(typeof(TimeInForce))]
    public string? TimeInForce { get; init; }

    public string? ClientOrderId { get; init; }
}
