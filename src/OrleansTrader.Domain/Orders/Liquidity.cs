namespace OrleansTrader.Domain.Orders;

public enum Liquidity
{
    Unknown,
    Maker,
    Taker,
}
