using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fees;

/// <summary>
/// One execution (or an estimate of one) to price. <see cref="TradeDate"/> is the exchange (New York) date of the trade:
/// regulatory fees use the rates in force that day; without it they use the fixed rates of <see cref="RegulatoryFees"/>.
/// </summary>
public sealed record FeeInput(OrderSide Side, decimal Quantity, decimal Price)
{
    public decimal Notional => Quantity * Price;

    public DateOnly? TradeDate { get; init; }
}
