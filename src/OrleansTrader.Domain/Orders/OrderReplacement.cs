namespace OrleansTrader.Domain.Orders;

/// <summary>
/// A replace (modify) request. Null fields keep the original value. <see cref="Quantity"/> is the new total order
/// quantity, including what has already filled.
/// </summary>
public sealed record OrderReplacement
{
    public decimal? Quantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public TimeInForce? TimeInForce { get; init; }

    public string? ClientOrderId { get; init; }
}
