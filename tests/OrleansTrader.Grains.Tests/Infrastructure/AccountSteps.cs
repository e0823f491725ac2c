using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Steps the account tests share: an order awaited to its fill, and a fake clock moved across midnight.</summary>
public static class AccountSteps
{
    /// <summary>Places <paramref name="order"/> and waits until the account has applied <paramref name="fills"/> fills in all.</summary>
    public static async Task FillAsync(IAccountGrain account, PlaceOrder order, int fills)
    {
        var placed = await account.PlaceOrderAsync(order);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == fills, $"fill {fills}");
    }

    /// <summary>
    /// Moves the clock to just past the next midnight with <paramref name="symbol"/> quoted at <paramref name="price"/>
    /// then: the quote comes ten seconds before midnight, since a symbol grain idle for hours of the fake clock is
    /// collected with its quote.
    /// </summary>
    public static async Task CrossMidnightAsync(TradingCluster cluster, FakeTimeProvider time, string symbol, decimal price)
    {
        var now = time.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        time.Advance(midnight - now - TimeSpan.FromSeconds(10));
        await Market.QuoteAsync(cluster, symbol, price, price);
        time.Advance(TimeSpan.FromSeconds(15));
    }
}
