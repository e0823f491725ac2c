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

    public decimal Amount => OriginalQuantity == 0m ? 0m : OriginalAmount * RemainingQuantity / OriginalQuantity;
}
