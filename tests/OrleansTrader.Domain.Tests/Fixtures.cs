using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Tests;

internal static class Fixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    public static Instrument Spy { get; } = new() { Symbol = "SPY" };

    public static Instrument Fractional { get; } = new() { Symbol = "AAPL", FractionalAllowed = true };

    public static IFeeModel NoFees { get; } = new ZeroCommissionFeeModel(null);

    public static OrderRequest MarketOrder(OrderSide side, decimal quantity, string symbol = "SPY") => new()
    {
        ClientOrderId = "c-" + Guid.NewGuid().ToString("N"),
        Symbol = symbol,
        Side = side,
        Type = OrderType.Market,
        Quantity = quantity,
    };

    public static OrderRequest LimitOrder(OrderSide side, decimal quantity, decimal limit, string symbol = "SPY") =>
        MarketOrder(side, quantity, symbol) with { Type = OrderType.Limit, LimitPrice = limit };

    public static QuoteTick Quote(decimal bid, decimal ask, decimal size = 1_000m, DateTimeOffset? at = null, string symbol = "SPY") =>
        new(symbol, at ?? T0, bid, size, ask, size);

    public static TradeTick Trade(decimal price, decimal size = 100m, DateTimeOffset? at = null, string symbol = "SPY") =>
        new(symbol, at ?? T0, price, size);

    public static Execution Exec(string id, OrderSide side, decimal quantity, decimal price, decimal fee = 0m,
        string orderId = "o1", string symbol = "SPY") => new()
    {
        ExecutionId = id,
        OrderId = orderId,
        ClientOrderId = "c1",
        Symbol = symbol,
        Side = side,
        Quantity = quantity,
        Price = price,
        Fee = fee,
        Timestamp = T0,
    };
}
