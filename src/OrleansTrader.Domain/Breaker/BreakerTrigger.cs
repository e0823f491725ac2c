namespace OrleansTrader.Domain.Breaker;

public enum BreakerTrigger
{
    DailyLoss,
    Drawdown,
    BrokerErrorRate,
    StaleMarketData,
    Manual,
    Reset,
}
