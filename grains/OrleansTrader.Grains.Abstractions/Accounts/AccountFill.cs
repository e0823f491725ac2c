using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>An execution applied to the account, numbered in application order.</summary>
public sealed record AccountFill
{
    public required long Sequence { get; init; }

    public required string ExecutionId { get; init; }

    public required string OrderId { get; init; }

    public required string ClientOrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal Price { get; init; }

    public required decimal Fee { get; init; }

    /// <summary>Realized P&amp;L of this fill (before fees), from the domain position.</summary>
    public required decimal RealizedPnl { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// Who placed the order ("api", "strategy:{id}", ...); null when the account does not know the order. Fills recorded
    /// before it was kept hold null: the fills query gives them their order's, the account's events keep the null.
    /// </summary>
    public string? Origin { get; init; }
}
