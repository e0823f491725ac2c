using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Portfolio;

/// <summary>
/// An average-cost position: the single P&amp;L implementation of the project.
/// <para>Realized P&amp;L of a fill = (fill price - average entry) x closed quantity x direction, where direction is +1
/// for a long and -1 for a short being closed. Opening or adding moves the average entry to the quantity-weighted
/// average; closing leaves it unchanged; a fill that crosses zero closes the old side at the fill price and opens
/// the remainder on the new side with the fill price as its average entry. Fees never enter the average price:
/// they are separate lines, and net P&amp;L = realized - fees.</para>
/// <para>The position stores its signed <see cref="CostBasis"/> (quantity x average entry) rather than the average, and a
/// close removes the closed fraction of it (at <see cref="BasisScale"/> places); a full close removes all of it.
/// Division is then confined to partial closes and telescopes away: over any sequence of fills that ends flat,
/// realized P&amp;L equals the cash moved, exactly.</para>
/// </summary>
public sealed record Position
{
    /// <summary>
    /// Decimal places of the basis removed by a partial close (a trillionth of a dollar). Carrying it at a fixed scale
    /// keeps every later addition and subtraction exact, which is what makes the books balance to the last digit.
    /// </summary>
    public const int BasisScale = 12;

    public required string Symbol { get; init; }

    /// <summary>Signed quantity: positive long, negative short.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Signed entry cost of the open quantity (negative for a short); zero when flat.</summary>
    public decimal CostBasis { get; init; }

    /// <summary>Average entry price of the open quantity; zero when flat.</summary>
    public decimal AverageEntryPrice => Quantity == 0m ? 0m : CostBasis / Quantity;

    /// <summary>Cumulative realized P&amp;L before fees.</summary>
    public decimal RealizedPnl { get; init; }

    public decimal FeesPaid { get; init; }

    public decimal NetRealizedPnl => RealizedPnl - FeesPaid;

    public bool IsFlat => Quantity == 0m;

    public static Position Flat(string symbol) => new() { Symbol = symbol };

    public PositionFill Apply(Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (execution.Symbol != Symbol)
        {
            throw new ArgumentException($"Execution symbol {execution.Symbol} is not {Symbol}.", nameof(execution));
        }

        if (execution.Quantity <= 0m || execution.Price <= 0m || execution.Fee < 0m)
        {
            throw new ArgumentException("Execution quantity and price must be positive and its fee non-negative.", nameof(execution));
        }

        var signed = execution.Side == OrderSide.Buy ? execution.Quantity : -execution.Quantity;
        return Apply(signed, execution.Price, execution.Fee);
    }

    /// <summary>Applies a signed fill quantity at a price (the pure core of <see cref="Apply(Execution)"/>).</summary>
    public PositionFill Apply(decimal signedQuantity, decimal price, decimal fee)
    {
        if (signedQuantity == 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(signedQuantity), "A fill has a non-zero quantity.");
        }

        var closed = 0m;
        var realized = 0m;
        var basis = CostBasis;
        var opening = signedQuantity;
        if (Quantity != 0m && Math.Sign(Quantity) != Math.Sign(signedQuantity))
        {
            var held = Math.Abs(Quantity);
            closed = Math.Min(held, Math.Abs(signedQuantity));
            var removed = closed == held ? CostBasis : Math.Round(CostBasis * closed / held, BasisScale, MidpointRounding.ToEven);
            realized = (closed * price * Math.Sign(Quantity)) - removed;
            basis -= removed;
            opening = signedQuantity + (closed * Math.Sign(Quantity));
        }

        basis += opening * price;
        var next = this with
        {
            Quantity = Quantity + signedQuantity,
            CostBasis = basis,
            RealizedPnl = RealizedPnl + realized,
            FeesPaid = FeesPaid + fee,
        };
        return new PositionFill(next, realized, fee, closed);
    }

    /// <summary>Unrealized P&amp;L at a mark: (mark - average entry) x signed quantity.</summary>
    public decimal UnrealizedPnl(decimal mark) => (mark * Quantity) - CostBasis;

    public decimal MarketValue(decimal mark) => Quantity * mark;
}
