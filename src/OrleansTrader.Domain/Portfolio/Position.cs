using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Portfolio;

/// <summary>
/// An average-cost position: the single P&amp;L implementation of the project.
/// <para>Realized P&amp;L of a fill = (fill price - average entry) x closed quantity x direction, where direction is +1
/// for a long and -1 for a short being closed. Opening or adding moves the average entry to the quantity-weighted
/// average; closing leaves it unchanged; a fill that crosses zero closes the old side at the fill price and opens
/// the remainder on the new side with the fill price as its average entry. Fees never enter the average price:
/// they are separate lines, and net P&amp;L = realized - fees.</para>
/// </summary>
public sealed record Position
{
    public required string Symbol { get; init; }

    /// <summary>Signed quantity: positive long, negative short.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Average entry price of the open quantity; zero when flat.</summary>
    public decimal AverageEntryPrice { get; init; }

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
        var closed = 0m;
        var realized = 0m;
        var quantity = Quantity + signedQuantity;
        var average = AverageEntryPrice;
        var sameDirection = Quantity == 0m || Math.Sign(Quantity) == Math.Sign(signedQuantity);
        if (sameDirection)
        {
            average = (AverageEntryPrice * Math.Abs(Quantity) + price * Math.Abs(signedQuantity)) / Math.Abs(quantity);
        }
        else
        {
            closed = Math.Min(Math.Abs(Quantity), Math.Abs(signedQuantity));
            realized = (price - AverageEntryPrice) * closed * Math.Sign(Quantity);
            if (quantity == 0m)
            {
                average = 0m;
            }
            else if (Math.Sign(quantity) != Math.Sign(Quantity))
            {
                average = price;
            }
        }

        var next = this with
        {
            Quantity = quantity,
            AverageEntryPrice = average,
            RealizedPnl = RealizedPnl + realized,
            FeesPaid = FeesPaid + fee,
        };
        return new PositionFill(next, realized, fee, closed);
    }

    /// <summary>Unrealized P&amp;L at a mark: (mark - average entry) x signed quantity.</summary>
    public decimal UnrealizedPnl(decimal mark) => (mark - AverageEntryPrice) * Quantity;

    public decimal MarketValue(decimal mark) => Quantity * mark;
}
