using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Portfolio;

/// <summary>
/// Buying power held for an open order, in buying-power dollars. Released in proportion to the filled quantity,
/// and fully on cancel, reject or expiry. The remaining amount is never negative.
/// </summary>
public sealed record Reservation
{
    public required string OrderId { get; init; }

    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required decimal OriginalQuantity { get; init; }

    public required decimal OriginalAmount { get; init; }

    public required decimal RemainingQuantity { get; init; }

    /// <summary>The amount still held: the original amount in proportion to the remaining quantity.</summary>
    public required decimal Amount { get; init; }

    public static Reservation Create(string orderId, string symbol, OrderSide side, decimal quantity, decimal amount) => new()
    {
        OrderId = orderId,
        Symbol = symbol,
        Side = side,
        OriginalQuantity = quantity,
        OriginalAmount = amount,
        RemainingQuantity = quantity,
        Amount = amount,
    };

    /// <summary>The reservation after a fill leaves <paramref name="remaining"/> to fill (never below zero).</summary>
    public Reservation WithRemaining(decimal remaining)
    {
        var clamped = Math.Max(0m, remaining);
        return this with
        {
            RemainingQuantity = clamped,
            Amount = OriginalQuantity == 0m ? 0m : OriginalAmount * clamped / OriginalQuantity,
        };
    }
}
