namespace OrleansTrader.Domain.Orders;

public enum OrderType
{
    Market,
    Limit,
    Stop,
    StopLimit,
    TrailingStop,
}
