using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// Drives the paper exchange through real market data only. A fill of <c>quantity</c> at <c>price</c> is a one-sided
/// quote showing exactly that size at that price on the side the order takes, which the fill model matches (a buy
/// limit at or above the ask fills at the ask, capped by its displayed size); the standing quote is then restored.
/// A rejection is a trading halt with the given reason, the venue's real reason for refusing every new order.
/// </summary>
public sealed class PaperVenueDriver(PaperExchange exchange, IBrokerClient client, string accountId, TimeProvider time) : IVenueDriver
{
    private readonly Dictionary<string, QuoteTick> _standing = new(StringComparer.Ordinal);

    public Task WaitForReportSubscriberAsync(CancellationToken cancellationToken) =>
        exchange.WhenReportStreamOpenAsync(accountId, cancellationToken);

    public Task SetQuoteAsync(string symbol, decimal bid, decimal ask, CancellationToken cancellationToken)
    {
        var quote = new QuoteTick(symbol, time.GetUtcNow(), bid, 100m, ask, 100m);
        _standing[symbol] = quote;
        return exchange.UpdateQuoteAsync(quote, cancellationToken);
    }

    public Task TradeAsync(string symbol, decimal price, CancellationToken cancellationToken) =>
        exchange.UpdateTradeAsync(new TradeTick(symbol, time.GetUtcNow(), price, 100m), cancellationToken);

    public async Task FillAsync(string orderId, decimal quantity, decimal price, CancellationToken cancellationToken)
    {
        var order = await client.GetOrderAsync(orderId, cancellationToken) ?? throw new InvalidOperationException($"Order {orderId} is unknown.");
        var filledBefore = order.FilledQuantity;
        var now = time.GetUtcNow();
        var liquidity = order.Side == OrderSide.Buy
            ? new QuoteTick(order.Symbol, now, 0m, 0m, price, quantity)
            : new QuoteTick(order.Symbol, now, price, quantity, 0m, 0m);
        await exchange.UpdateQuoteAsync(liquidity, cancellationToken);
        if (_standing.TryGetValue(order.Symbol, out var standing))
        {
            await exchange.UpdateQuoteAsync(standing with { Timestamp = time.GetUtcNow() }, cancellationToken);
        }

        var after = await client.GetOrderAsync(orderId, cancellationToken);
        if (after is null || after.FilledQuantity != filledBefore + quantity)
        {
            throw new InvalidOperationException($"The market did not fill {quantity} of order {orderId} at {price}: it has {after?.FilledQuantity} filled ({after?.Status}).");
        }
    }

    public Task RejectNextAsync(string reason, CancellationToken cancellationToken)
    {
        foreach (var symbol in _standing.Keys)
        {
            exchange.HaltTrading(symbol, reason);
        }

        return Task.CompletedTask;
    }
}
