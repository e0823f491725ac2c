using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>An order a strategy wants placed. The account turns it into an order after its risk checks.</summary>
public sealed record OrderIntent
{
    public required string StrategyId { get; init; }

    /// <summary>"{StrategyId}-{Sequence}": deterministic, and the idempotency key of the resulting order.</summary>
    public required string ClientOrderId { get; init; }

    public required long Sequence { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required decimal Quantity { get; init; }

    public required OrderType Type { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public required TimeInForce TimeInForce { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public OrderRequest ToOrderRequest() => new()
    {
        ClientOrderId = ClientOrderId,
        Symbol = Symbol,
        Side = Side,
        Type = Type,
        Quantity = Quantity,
        LimitPrice = LimitPrice,
        StopPrice = StopPrice,
        TrailPrice = TrailPrice,
        TrailPercent = TrailPercent,
        TimeInForce = TimeInForce,
    };
}
