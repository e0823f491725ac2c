using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Steps the account tests share: an order awaited to its fill, and a fake clock moved across midnight or idled.</summary>
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
    /// Moves the clock a minute at a time, the last second of each alone once the grains' timer turns (1 s, 30 s, 60 s)
    /// have run: the silo's idle collection falls due on that second (every minute since the start), before the grains'
    /// timers of the same second, so it finds each grain between turns rather than in one.
    /// </summary>
    public static async Task IdleAsync(FakeTimeProvider time, TimeSpan duration)
    {
        for (var passed = TimeSpan.Zero; passed < duration; passed += TimeSpan.FromMinutes(1))
        {
            time.Advance(TimeSpan.FromSeconds(59));
            await Task.Delay(50, TestContext.Current.CancellationToken);
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
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
