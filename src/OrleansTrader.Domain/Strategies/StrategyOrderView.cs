using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>A read-only view of one of the strategy's open orders.</summary>
public sealed record StrategyOrderView
{
    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public required decimal Quantity { get; init; }

    public decimal FilledQuantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public required OrderStatus Status { get; init; }

    public decimal RemainingQuantity => Quantity - FilledQuantity;
}
