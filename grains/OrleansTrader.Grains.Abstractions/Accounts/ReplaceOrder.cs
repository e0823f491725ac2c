using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Replaces a working order; the replacement is risk-checked like a new order.</summary>
public sealed record ReplaceOrder
{
    public required string OrderId { get; init; }

    public required OrderReplacement Replacement { get; init; }
}
