using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// DAY expiry on the NYSE calendar against instants worked out from NYSE's published hours, not from the calendar's code:
/// the spring-forward weekend (2026-03-08: New York moves from UTC-5 to UTC-4, so the close moves from 21:00 to 20:00 UTC)
/// and Christmas (2026-12-24 closes at 13:00 New York, 18:00 UTC; the 25th is a holiday). The account sees each order
/// Expired at that instant, with its reservation given back; a GTC order works on (paper-exchange.md "DAY expiry").
/// </summary>
public sealed class DayExpirySessionTests
{
    private const string Symbol = "DXP";

    [Fact]
    public async Task AcrossTheSpringForward_DayOrdersExpireAtFourInNewYork_WhichMovesFrom2100To2000Utc_AndReleaseTheirReservations()
    {
        // Friday 2026-03-06 10:00 EST.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "spring", 1_000_000m, TestAccounts.Loose with { RequireMarketOpen = false });
        await Market.QuoteAsync(cluster, Symbol, 100.00m, 100.02m);

        await PlaceAsync(account, Day("day-fri", 95m));
        await PlaceAsync(account, Market.Limit("gtc-fri", Symbol, OrderSide.Buy, 10m, 95m));
        var reservedBoth = (await account.GetSnapshotAsync())!.Reserved;
        Assert.True(reservedBoth > 1_800m, $"reserved {reservedBoth}");
        await ExpectExpiryAsync(cluster, time, account, "day-fri", new DateTimeOffset(2026, 3, 6, 21, 0, 0, TimeSpan.Zero));
        Assert.Equal(reservedBoth / 2, (await account.GetSnapshotAsync())!.Reserved);

        // Friday 17:00 EST, after the close: for Monday's session, which closes at 16:00 EDT, 20:00 UTC.
        await AdvanceToAsync(time, new DateTimeOffset(2026, 3, 6, 22, 0, 0, TimeSpan.Zero));
        await PlaceAsync(account, Day("day-fri-late", 95m));

        // Sunday 2026-03-08 12:00 EDT, the day the clocks change: for Monday's session too.
        await AdvanceToAsync(time, new DateTimeOffset(2026, 3, 8, 16, 0, 0, TimeSpan.Zero));
        await account.RefreshAsync();
        await PlaceAsync(account, Day("day-sun", 95m));

        // Monday 2026-03-09 15:00 EDT (19:00 UTC): an hour before the close, though past Friday's close on the UTC clock.
        await AdvanceToAsync(time, new DateTimeOffset(2026, 3, 9, 19, 0, 0, TimeSpan.Zero));
        await account.RefreshAsync();
        await Market.QuoteAsync(cluster, Symbol, 100.00m, 100.02m);
        Assert.Equal(OrderStatus.Accepted, await StatusAsync(account, "day-fri-late"));
        Assert.Equal(OrderStatus.Accepted, await StatusAsync(account, "day-sun"));
        await ExpectExpiryAsync(cluster, time, account, "day-sun", new DateTimeOffset(2026, 3, 9, 20, 0, 0, TimeSpan.Zero));
        Assert.Equal(OrderStatus.Expired, await StatusAsync(account, "day-fri-late"));
        Assert.Equal(OrderStatus.Accepted, await StatusAsync(account, "gtc-fri"));
        Assert.Equal(reservedBoth / 2, (await account.GetSnapshotAsync())!.Reserved);
    }

    [Fact]
    public async Task AtChristmas_ADayOrderExpiresAtTheEarlyClose_AndOnePlacedOnTheHolidayAtTheNextSessionsClose()
    {
        // Thursday 2026-12-24 10:00 EST.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 24, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "christmas", 1_000_000m, TestAccounts.Loose with { RequireMarketOpen = false });
        await Market.QuoteAsync(cluster, Symbol, 100.00m, 100.02m);

        await PlaceAsync(account, Day("day-eve", 95m));
        await ExpectExpiryAsync(cluster, time, account, "day-eve", new DateTimeOffset(2026, 12, 24, 18, 0, 0, TimeSpan.Zero));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);

        // Christmas Day: closed; an order placed then is for Monday the 28th, closing at 16:00 EST, 21:00 UTC.
        await AdvanceToAsync(time, new DateTimeOffset(2026, 12, 25, 15, 0, 0, TimeSpan.Zero));
        await account.RefreshAsync();
        await PlaceAsync(account, Day("day-christmas", 95m));
        await AdvanceToAsync(time, new DateTimeOffset(2026, 12, 28, 14, 30, 0, TimeSpan.Zero));
        await account.RefreshAsync();
        await ExpectExpiryAsync(cluster, time, account, "day-christmas", new DateTimeOffset(2026, 12, 28, 21, 0, 0, TimeSpan.Zero));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    private static PlaceOrder Day(string clientOrderId, decimal price)
    {
        var limit = Market.Limit(clientOrderId, Symbol, OrderSide.Buy, 10m, price);
        return limit with { Request = limit.Request with { TimeInForce = TimeInForce.Day } };
    }

    private static async Task PlaceAsync(IAccountGrain account, PlaceOrder order)
    {
        var placed = await account.PlaceOrderAsync(order);
        Assert.True(placed.Succeeded, $"{order.Request.ClientOrderId}: {placed.Denial?.ReasonCode} {placed.Denial?.Message}");
    }

    private static async Task<OrderStatus?> StatusAsync(IAccountGrain account, string clientOrderId) =>
        (await account.GetOrderByClientOrderIdAsync(clientOrderId))?.Status;

    private static Task AdvanceToAsync(FakeTimeProvider time, DateTimeOffset at)
    {
        Assert.True(at >= time.GetUtcNow(), $"the clock is at {time.GetUtcNow():O}, past {at:O}");
        time.Advance(at - time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Works until a millisecond before <paramref name="close"/> (quoted then, so the session's last quote is fresh for an
    /// order placed while the market is closed: domain.md, QUOTE_STALE), then Expired at it, as the account records it.
    /// </summary>
    private static async Task ExpectExpiryAsync(TradingCluster cluster, FakeTimeProvider time, IAccountGrain account, string clientOrderId, DateTimeOffset close)
    {
        await AdvanceToAsync(time, close - TimeSpan.FromMilliseconds(1));
        await Market.QuoteAsync(cluster, Symbol, 100.00m, 100.02m);
        Assert.Equal(OrderStatus.Accepted, await StatusAsync(account, clientOrderId));
        await AdvanceToAsync(time, close);
        var expired = await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync(clientOrderId), o => o!.Status != OrderStatus.Accepted,
            $"{clientOrderId} to expire at {close:O}");
        Assert.Equal((OrderStatus.Expired, close), (expired!.Status, expired.UpdatedAt));
    }
}
