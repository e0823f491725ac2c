using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fees;

/// <summary>One execution (or an estimate of one) to price.</summary>
public sealed record FeeInput(OrderSide Side, decimal Quantity, decimal Price)
{
    public decimal Notional => Quantity * Price;
}
