using System.Text.Json.Serialization;
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

    /// <summary>
    /// The price the opening part is held at (the risk decision's reference price). When set, <see cref="Amount"/> is
    /// (remaining - closing) x price + the estimated fee in proportion to the remaining quantity, and the ledger moves
    /// the closing part as the position and the other open orders change. Null: a reservation from before, released in
    /// proportion to the filled quantity.
    /// </summary>
    public decimal? Price { get; init; }

    /// <summary>The estimated fee of the whole order (with <see cref="Price"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] // Stored with every open order: zero is left out.
    public decimal EstimatedFee { get; init; }

    /// <summary>How much of the remaining quantity closes the current position (with <see cref="Price"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public decimal ClosingQuantity { get; init; }

    /// <summary>The order in which open orders on one side claim the position they close (older first).</summary>
    public long Sequence { get; init; }

    public static Reservation Create(
        string orderId, string symbol, OrderSide side, decimal quantity, decimal amount, long sequence = 0, decimal? price = null, decimal estimatedFee = 0m) => new()
    {
        OrderId = orderId,
        Symbol = symbol,
        Side = side,
        OriginalQuantity = quantity,
        OriginalAmount = amount,
        RemainingQuantity = quantity,
        Amount = amount,
        Sequence = sequence,
        Price = price,
        EstimatedFee = estimatedFee,
    };

    /// <summary>The reservation after a fill leaves <paramref name="remaining"/> to fill (never below zero).</summary>
    public Reservation WithRemaining(decimal remaining)
    {
        var clamped = Math.Max(0m, remaining);
        return Price is null
            ? this with
            {
                RemainingQuantity = clamped,
                Amount = OriginalQuantity == 0m ? 0m : OriginalAmount * clamped / OriginalQuantity,
            }
            : (this with { RemainingQuantity = clamped }).WithClosing(Math.Min(ClosingQuantity, clamped));
    }

    /// <summary>The reservation when <paramref name="closing"/> of its remaining quantity closes the position (priced reservations only).</summary>
    public Reservation WithClosing(decimal closing)
    {
        if (Price is not { } price)
        {
            return this;
        }

        var clamped = Math.Clamp(closing, 0m, RemainingQuantity);
        var fee = OriginalQuantity == 0m ? 0m : EstimatedFee * RemainingQuantity / OriginalQuantity;
        var amount = ((RemainingQuantity - clamped) * price) + fee;
        return clamped == ClosingQuantity && amount == Amount ? this : this with { ClosingQuantity = clamped, Amount = amount };
    }
}
