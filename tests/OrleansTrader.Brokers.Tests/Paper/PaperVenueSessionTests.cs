using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// Orders at the paper venue across the NYSE session edges, on a manual clock. Times are New York wall-clock times with
/// the offset in force (EDT -4, EST -5), so each case reads as a trader there sees it.
/// </summary>
public sealed class PaperVenueSessionTests
{
    private static readonly TimeSpan Edt = TimeSpan.FromHours(-4);
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OrderRequest BuyLimit(string id, decimal limit, bool extendedHours = false, TimeInForce tif = TimeInForce.Day) =>
        Request(id, OrderSide.Buy, OrderType.Limit, 10m, limit: limit, tif: tif) with { ExtendedHours = extendedHours };

    private static async Task<BrokerOrder> AcceptedAsync(PaperHarness venue, OrderRequest request)
    {
        var order = await venue.SubmitAsync(request);
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);
        return order;
    }

    // Placed at 17:00 in the after-hours: the extended-hours DAY limit trades until 20:00 and expires then; the regular
    // one is for the next day's regular session and ignores the after-hours quotes.
    [Fact]
    public async Task ExtendedHoursDayLimit_PlacedAt1700_TradesUntil2000_ARegularOneWaitsForTheNextOpen()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 17, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);
        var filling = await AcceptedAsync(venue, BuyLimit("ext-fills", 100m, extendedHours: true));
        var expiring = await AcceptedAsync(venue, BuyLimit("ext-expires", 95m, extendedHours: true));
        var regular = await AcceptedAsync(venue, BuyLimit("regular", 100m));

        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 19, 59, 0, Edt));
        await venue.QuoteAsync(99.00m, 99.50m);

        Assert.Equal(99.50m, Assert.Single(await venue.WaitForAsync(filling.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(regular.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 20, 0, 0, Edt));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 20, 0, 0, Edt),
            Assert.Single(await venue.WaitForAsync(expiring.OrderId, ExecutionReportKind.Expired)).Timestamp);
        await venue.QuoteAsync(94.00m, 94.50m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(regular.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 3, 11, 9, 30, 0, Edt));
        await venue.QuoteAsync(99.00m, 99.50m);

        Assert.Equal(99.50m, Assert.Single(await venue.WaitForAsync(regular.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    // Placed at 03:00, before the pre-market: the extended-hours limit waits for 04:00 and a quote of that session (as
    // Alpaca queues such an order for 04:00), the regular one for 09:30; both are for this day's session.
    [Fact]
    public async Task DayLimits_PlacedAt0300_WaitForTheirSessionsOpen()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 3, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);
        var extended = await AcceptedAsync(venue, BuyLimit("ext", 100m, extendedHours: true));
        var regular = await AcceptedAsync(venue, BuyLimit("regular", 100m));

        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 3, 59, 0, Edt));
        await venue.QuoteAsync(99.00m, 99.50m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(extended.OrderId)).Status);

        // The 03:59 quote still stands at 04:00 but is not of the session: a trade above the limit finds no touch to fill at.
        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 4, 0, 0, Edt));
        await venue.TradeAsync(100.50m, 100m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(extended.OrderId)).Status);

        await venue.QuoteAsync(99.10m, 99.60m);
        Assert.Equal(99.60m, Assert.Single(await venue.WaitForAsync(extended.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(regular.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 9, 30, 0, Edt));
        await venue.QuoteAsync(99.20m, 99.70m);
        Assert.Equal(99.70m, Assert.Single(await venue.WaitForAsync(regular.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    [Fact]
    public async Task GtcLimit_SurvivesTheClose_IgnoresTheAfterHours_AndWorksAtTheNextOpen()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 15, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);
        var gtc = await AcceptedAsync(venue, BuyLimit("gtc", 100m, tif: TimeInForce.Gtc));
        var day = await AcceptedAsync(venue, BuyLimit("day", 90m));

        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 16, 0, 0, Edt));
        await venue.WaitForAsync(day.OrderId, ExecutionReportKind.Expired);
        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 17, 0, 0, Edt));
        await venue.QuoteAsync(99.00m, 99.50m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(gtc.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 3, 11, 9, 30, 0, Edt));
        await venue.QuoteAsync(99.00m, 99.40m);

        Assert.Equal(99.40m, Assert.Single(await venue.WaitForAsync(gtc.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    // An IOC cannot wait for the open: one minute before it, or at the close, it is canceled MARKET_CLOSED.
    [Theory]
    [InlineData(9, 29, false)]
    [InlineData(9, 30, true)]
    [InlineData(15, 59, true)]
    [InlineData(16, 0, false)]
    public async Task Ioc_AtTheRegularSessionEdges(int hour, int minute, bool fills)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, hour, minute, 0, Edt));
        await using var venue = await StartAsync(time: time);
        await venue.QuoteAsync(99.00m, 99.50m);

        var order = await venue.SubmitAsync(BuyLimit("ioc", 100m, tif: TimeInForce.Ioc));

        if (fills)
        {
            await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
        }
        else
        {
            Assert.Equal("MARKET_CLOSED", Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled)).Reason);
        }
    }

    // Thanksgiving 2026 (Thursday 11-26) is closed: an order placed then is for Friday's session, which closes at 13:00
    // (its after-hours at 17:00).
    [Fact]
    public async Task DayOrders_PlacedOnThanksgiving_AreForTheEarlyCloseFriday()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 26, 10, 0, 0, Est));
        await using var venue = await StartAsync(time: time);
        var regular = await AcceptedAsync(venue, BuyLimit("regular", 95m));
        var extended = await AcceptedAsync(venue, BuyLimit("ext", 95m, extendedHours: true));
        await venue.QuoteAsync(94.00m, 94.50m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(regular.OrderId)).Status);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(extended.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 11, 27, 12, 59, 59, Est));
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(regular.OrderId)).Status);
        time.AdvanceTo(new DateTimeOffset(2026, 11, 27, 13, 0, 0, Est));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 0, Est),
            Assert.Single(await venue.WaitForAsync(regular.OrderId, ExecutionReportKind.Expired)).Timestamp);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(extended.OrderId)).Status);

        time.AdvanceTo(new DateTimeOffset(2026, 11, 27, 17, 0, 0, Est));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 17, 0, 0, Est),
            Assert.Single(await venue.WaitForAsync(extended.OrderId, ExecutionReportKind.Expired)).Timestamp);
    }

    // Placed on the Friday evening before the clocks go forward: the order is for Monday's session, whose 16:00 is EDT
    // (20:00 UTC), not Friday's EST offset (21:00 UTC).
    [Fact]
    public async Task DayOrder_PlacedBeforeTheClocksGoForward_ExpiresAtMondays1600NewYorkTime()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 6, 17, 0, 0, Est));
        await using var venue = await StartAsync(time: time);
        var order = await AcceptedAsync(venue, BuyLimit("dst", 90m));

        time.AdvanceTo(new DateTimeOffset(2026, 3, 9, 19, 59, 59, TimeSpan.Zero));
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);
        time.AdvanceTo(new DateTimeOffset(2026, 3, 9, 20, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 9, 16, 0, 0, Edt),
            Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Expired)).Timestamp);
    }

    // Its timer armed for the 16:00 close counts elapsed time; the wall clock stepped past the close (a host resumed after
    // a suspension, a clock set forward) left the DAY order working, and its reservation held at the account, until that
    // timer had counted the six hours, whatever the clock said.
    [Fact]
    public async Task DayOrder_ExpiresWithinAMinute_WhenTheWallClockStepsPastTheClose()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 10, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);
        var order = await AcceptedAsync(venue, BuyLimit("stepped", 90m));

        time.Step(TimeSpan.FromDays(3));
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(new DateTimeOffset(2026, 3, 13, 10, 1, 0, Edt),
            Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Expired)).Timestamp);
    }

    // A replace is a new order at the venue, but a DAY order's replacement keeps the close it was placed for: recomputed
    // from the replace's own time, one replaced after the clock stepped past the close (before the expiry pass ran) got the
    // next session's close and worked a day longer than the order it replaced.
    [Fact]
    public async Task DayOrder_ReplacedAfterTheClockSteppedPastTheClose_ExpiresWithTheCloseItWasPlacedFor()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 10, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);
        var order = await AcceptedAsync(venue, BuyLimit("replaced-late", 90m));

        time.Step(TimeSpan.FromHours(6) + TimeSpan.FromSeconds(30));
        var replacement = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { LimitPrice = 89m }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Single(await venue.WaitForAsync(replacement.OrderId, ExecutionReportKind.Expired));
        Assert.Equal((OrderStatus.Replaced, OrderStatus.Expired), ((await venue.OrderAsync(order.OrderId)).Status, (await venue.OrderAsync(replacement.OrderId)).Status));
    }

    // The venue runs no auction: OPG and CLS orders are refused before anything is kept (docs/paper-exchange.md, Limits).
    [Theory]
    [InlineData(TimeInForce.Opg)]
    [InlineData(TimeInForce.Cls)]
    public async Task AuctionOrders_AreRejected(TimeInForce timeInForce)
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 8, 0, 0, Edt));
        await using var venue = await StartAsync(time: time);

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(BuyLimit("auction", 100m, tif: timeInForce)));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.StartsWith("TIME_IN_FORCE_NOT_SUPPORTED", error.Message, StringComparison.Ordinal);
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    // At 09:30 the book holds only the pre-market's quote: no quote of the session, so an IOC or FOK that cannot fill on it is
    // canceled QUOTE_MISSING, whether it is a market order or a limit the old touch crosses.
    [Fact]
    public async Task IocAndFok_AtTheOpen_WithOnlyThePreMarketsQuote_AreCanceledQuoteMissing()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 3, 10, 9, 29, 0, Edt));
        await using var venue = await StartAsync(time: time);
        await venue.QuoteAsync(99.00m, 99.50m);
        time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 9, 30, 0, Edt));

        var market = await venue.SubmitAsync(Request("ioc-open-market", OrderSide.Buy, OrderType.Market, 10m, tif: TimeInForce.Ioc));
        var limit = await venue.SubmitAsync(BuyLimit("ioc-open-limit", 100m, tif: TimeInForce.Ioc));
        var fok = await venue.SubmitAsync(BuyLimit("fok-open-limit", 100m, tif: TimeInForce.Fok));

        foreach (var order in new[] { market, limit, fok })
        {
            Assert.Equal("QUOTE_MISSING", Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled)).Reason);
        }
    }
}
