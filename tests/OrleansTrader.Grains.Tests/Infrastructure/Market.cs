using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Test helpers: quotes into symbol grains, and order requests.</summary>
public static class Market
{
    public static async Task QuoteAsync(TradingCluster cluster, string symbol, decimal bid, decimal ask, DateTimeOffset? at = null, decimal size = 1_000_000m)
    {
        var time = at ?? (cluster.Options.Time ?? TimeProvider.System).GetUtcNow();
        var result = await cluster.Symbol(symbol).IngestAsync(new TickBatch { Quotes = [new QuoteTick(symbol, time, bid, size, ask, size)] });
        Assert.Equal(1, result.Accepted);
    }

    public static async Task TradeAsync(TradingCluster cluster, string symbol, decimal price, decimal size = 100m)
    {
        var time = (cluster.Options.Time ?? TimeProvider.System).GetUtcNow();
        var result = await cluster.Symbol(symbol).IngestAsync(new TickBatch { Trades = [new TradeTick(symbol, time, price, size)] });
        Assert.Equal(1, result.Accepted);
    }

    public static PlaceOrder MarketOrder(string clientOrderId, string symbol, OrderSide side, decimal quantity) => new()
    {
        Request = new OrderRequest { ClientOrderId = clientOrderId, Symbol = symbol, Side = side, Type = OrderType.Market, Quantity = quantity },
    };

    /// <summary>The order as a GTC bracket: a take-profit at <paramref name="takeProfit"/>, a stop-loss at <paramref name="stopLoss"/>.</summary>
    public static PlaceOrder AsBracket(PlaceOrder order, decimal takeProfit, decimal stopLoss) => order with
    {
        Request = order.Request with
        {
            OrderClass = OrderClass.Bracket,
            TimeInForce = TimeInForce.Gtc,
            TakeProfit = new ExitLeg(LimitPrice: takeProfit),
            StopLoss = new ExitLeg(StopPrice: stopLoss),
        },
    };

    public static PlaceOrder Limit(string clientOrderId, string symbol, OrderSide side, decimal quantity, decimal price) => new()
    {
        Request = new OrderRequest
        {
            ClientOrderId = clientOrderId,
            Symbol = symbol,
            Side = side,
            Type = OrderType.Limit,
            Quantity = quantity,
            LimitPrice = price,
            TimeInForce = TimeInForce.Gtc,
        },
    };
}
