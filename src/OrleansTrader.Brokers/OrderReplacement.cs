using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers;

/// <summary>The fields a replace may change; null keeps the old value.</summary>
public sealed record OrderReplacement
{
    public decimal? Quantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    public TimeInForce? TimeInForce { get; init; }

    /// <summary>The client order id of the new order; the venue assigns one when null.</summary>
    public string? ClientOrderId { get; init; }
}
