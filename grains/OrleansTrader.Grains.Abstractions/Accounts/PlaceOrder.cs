using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>A new order. The client order id in <see cref="Request"/> is the idempotency key.</summary>
public sealed record PlaceOrder
{
    public required OrderRequest Request { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>Who sent it: "api", or a strategy id; kept on the order and in the journal.</summary>
    public string Origin { get; init => field = value ?? "api"; } = "api";
}
