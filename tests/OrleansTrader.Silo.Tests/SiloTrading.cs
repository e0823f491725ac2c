using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Silo.Tests;

/// <summary>Trading through a hosted silo's grains, for tests about what the silo stores.</summary>
internal static class SiloTrading
{
    /// <summary>Opens <paramref name="accountId"/> and buys 5 <paramref name="symbol"/> at market; returns once the fill is on the account.</summary>
    public static async Task TradeOnceAsync(IGrainFactory grains, string accountId, string symbol)
    {
        var ct = TestContext.Current.CancellationToken;
        await grains.GetGrain<ISymbolGrain>(symbol).IngestAsync(new TickBatch
        {
            Quotes = [new QuoteTick(symbol, TimeProvider.System.GetUtcNow(), 20m, 1_000m, 20m, 1_000m)],
        });
        var account = grains.GetGrain<IAccountGrain>(accountId);
        Assert.True((await account.OpenAsync(new OpenAccount { Cash = 10_000m })).Succeeded);
        var placed = await account.PlaceOrderAsync(new PlaceOrder
        {
            Request = new OrderRequest { ClientOrderId = accountId + "-1", Symbol = symbol, Side = OrderSide.Buy, Type = OrderType.Market, Quantity = 5m },
        });
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while ((await account.GetPositionsAsync()).Count == 0)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "The market order was never filled.");
            await Task.Delay(50, ct);
        }
    }
}
