using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Accept now, work at the open (as Alpaca does): an account that does not require the market open takes orders on a
/// weekend against the last quote of Friday's session, and the paper venue works them at Monday's open, against the quotes
/// of the open session only.
/// </summary>
public sealed class ClosedMarketOrderTests
{
    private static readonly DateOnly Friday = new(2026, 3, 6);
    private static readonly DateOnly Saturday = new(2026, 3, 7);
    private static readonly DateOnly Monday = new(2026, 3, 9);

    private static readonly Domain.Risk.RiskLimits Limits = TestAccounts.Loose with { RequireMarketOpen = false };

    private static DateTimeOffset NewYork(DateOnly date, int hour, int minute, int second = 0) =>
        NyseCalendar.ToUtc(date, new TimeOnly(hour, minute, second));

    [Fact]
    public async Task AGtcLimitBuyPlacedOnSaturday_IsAcceptedAgainstFridaysLastQuote_AndFillsAtMondaysOpen()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "weekend-limit", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKL", 99.9m, 100m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        var placed = await account.PlaceOrderAsync(Market.Limit("wl-1", "WKL", OrderSide.Buy, 10m, 99m));

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.Equal(990m, (await account.RefreshAsync())!.Reserved);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("wl-1"), o => o?.Status == OrderStatus.Accepted, "accepted");

        time.Advance(NewYork(Monday, 9, 30, 1) - time.GetUtcNow());
        await Market.QuoteAsync(cluster, "WKL", 98.4m, 98.5m);

        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the open's fill");
        Assert.Equal((10m, 98.5m), (fills[0].Quantity, fills[0].Price));
    }

    // A DAY market order placed on Saturday is for Monday's session: it does not expire at once, it is reserved at the last
    // price, and it fills at the first quote of the open, not at Friday's quote still standing in the venue's book when the
    // open's first trade prints.
    [Fact]
    public async Task ADayMarketBuyPlacedOnSaturday_FillsAtTheFirstQuoteOfTheOpen_NotAtFridaysQuote()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "weekend-market", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKM", 99.9m, 100m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        var placed = await account.PlaceOrderAsync(Market.MarketOrder("wm-1", "WKM", OrderSide.Buy, 10m));

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.Equal(1_000m, (await account.RefreshAsync())!.Reserved);
        var accepted = await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("wm-1"), o => o?.Status == OrderStatus.Accepted, "accepted");
        Assert.Equal(TimeInForce.Day, accepted!.TimeInForce);

        time.Advance(NewYork(Monday, 9, 30, 1) - time.GetUtcNow());
        await Market.TradeAsync(cluster, "WKM", 104m);
        time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, "WKM", 103.9m, 104m);

        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the open's fill");
        Assert.Equal((10m, 104m), (fills[0].Quantity, fills[0].Price));
    }

    // The limit rested through the weekend, so it was in the book for the open's first print: a print through it fills it
    // at its limit, though the only quote standing then is Friday's (no touch to fill at) and the session's first quote is
    // no longer marketable for it.
    [Fact]
    public async Task AGtcLimitBuyPlacedOnSaturday_FillsAtItsLimit_OnTheOpensFirstPrintThroughIt_BeforeTheSessionsFirstQuote()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 15, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "weekend-print", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKP", 99.9m, 100m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        var placed = await account.PlaceOrderAsync(Market.Limit("wp-1", "WKP", OrderSide.Buy, 10m, 99m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("wp-1"), o => o?.Status == OrderStatus.Accepted, "accepted");

        time.Advance(NewYork(Monday, 9, 30, 1) - time.GetUtcNow());
        await Market.TradeAsync(cluster, "WKP", 98.5m);
        time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, "WKP", 99.4m, 99.5m);

        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the fill on the open's print through the limit");
        Assert.Equal((10m, 99m), (fills[0].Quantity, fills[0].Price));
    }

    // The default Alpaca feed (IEX) quotes until 17:00 New York, not until the after-hours close at 20:00: an extended-hours
    // DAY limit placed on Saturday is accepted against Friday's last quote as a regular one is, is for Monday's extended
    // session, and fills at the pre-market's first quote.
    [Fact]
    public async Task AnExtendedHoursDayLimitPlacedOnSaturday_IsAcceptedAgainstFridaysLastIexQuote_AndFillsInMondaysPreMarket()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 16, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "weekend-extended", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKX", 99.9m, 100m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        var limit = Market.Limit("wx-1", "WKX", OrderSide.Buy, 10m, 99m);
        var placed = await account.PlaceOrderAsync(limit with { Request = limit.Request with { TimeInForce = TimeInForce.Day, ExtendedHours = true } });

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("wx-1"), o => o?.Status == OrderStatus.Accepted, "accepted");

        time.Advance(NewYork(Monday, 4, 0, 1) - time.GetUtcNow());
        await Market.QuoteAsync(cluster, "WKX", 98.4m, 98.5m);

        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the pre-market's fill");
        Assert.Equal((10m, 98.5m), (fills[0].Quantity, fills[0].Price));
    }

    // Only the last session's quote counts while closed: Thursday's last quote is stale on Saturday.
    [Fact]
    public async Task AnOrderPlacedOnSaturday_IsDeniedQuoteStale_WhenTheLastQuoteIsFromAnEarlierSession()
    {
        var time = new FakeTimeProvider(NewYork(Friday.AddDays(-1), 15, 59, 50));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var account = await TestAccounts.OpenAsync(cluster, "weekend-stale", 10_000m, Limits);
        await Market.QuoteAsync(cluster, "WKS", 99.9m, 100m);

        time.Advance(NewYork(Saturday, 10, 0) - time.GetUtcNow());
        var denied = await account.PlaceOrderAsync(Market.Limit("ws-1", "WKS", OrderSide.Buy, 10m, 99m));

        Assert.Equal(Domain.Risk.RiskReasonCodes.QuoteStale, denied.Denial?.ReasonCode);
    }
}
