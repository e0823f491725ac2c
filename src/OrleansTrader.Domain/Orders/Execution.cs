namespace OrleansTrader.Domain.Orders;

/// <summary>
/// One fill. <see cref="ExecutionId"/> is unique per broker and is the key that makes applying fills idempotent.
/// <see cref="Quantity"/> is always positive; <see cref="Side"/> gives the direction.
/// </summary>
public sealed record Execution
{
    public required string ExecutionId { get; init; }

    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Price { get; init; }

    public decimal Fee { get; init; }

    public Liquidity Liquidity { get; init; } = Liquidity.Unknown;

    public required DateTimeOffset Timestamp { get; init; }
}
