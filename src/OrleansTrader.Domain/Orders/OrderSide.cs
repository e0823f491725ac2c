namespace OrleansTrader.Domain.Orders;

public enum OrderSide
{
    Buy,
    Sell,
}
