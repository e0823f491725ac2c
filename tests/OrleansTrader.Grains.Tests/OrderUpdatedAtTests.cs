using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An order's <c>updatedAt</c> is when the account last changed it, on the account's clock, so a client that syncs orders
/// by it sees every change; a fill keeps the venue's execution time. The venue executes before its report arrives, so a
/// fill's time is earlier than the account's booking of it, often earlier than the acceptance the account recorded.
/// </summary>
public sealed class OrderUpdatedAtTests
{
    // The paper venue holds every fill's report this long on the fake clock, which only the test moves.
    private static readonly TimeSpan ReportDelay = TimeSpan.FromSeconds(3);

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    private static Task<TradingCluster> StartClusterAsync(FakeTimeProvider time) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        ConfigureSilo = silo => silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = ReportDelay),
    });

    // Seen on a real silo: the Filled event carried the acceptance's updatedAt, because the order took the later of its
    // own stamp and the fill's execution time, which was the earlier one.
    [Fact]
    public async Task AFillReportedAfterTheAcceptance_MovesUpdatedAtToItsBooking_AndTheFillKeepsTheVenuesTime()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await StartClusterAsync(time);
        await Market.QuoteAsync(cluster, "TSUF", 48.9m, 49m);
        var account = await TestAccounts.OpenAsync(cluster, "ts-fill", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("ts-fill-1", "TSUF", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var orderId = placed.Order!.OrderId;
        var accepted = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Accepted, Start), (accepted.Status, accepted.UpdatedAt));

        time.Advance(ReportDelay);
        var filled = await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o?.Status == OrderStatus.Filled, "the order filled");

        var fill = Assert.Single(await account.GetFillsAsync(0, 10));
        Assert.Equal(Start, fill.Timestamp);
        Assert.Equal(Start + ReportDelay, filled!.UpdatedAt);
        var events = (await account.GetEventsAsync(0, 100)).Events;
        var filledEvent = Assert.Single(events, e => e.Order is { Status: OrderStatus.Filled } o && o.OrderId == orderId);
        Assert.Equal(Start + ReportDelay, filledEvent.Order!.UpdatedAt);
        Assert.Equal(
            [.. events.Where(e => e.Order?.OrderId == orderId).Select(e => e.Order!.UpdatedAt).Order()],
            events.Where(e => e.Order?.OrderId == orderId).Select(e => e.Order!.UpdatedAt));
    }

    // The replace was answered before the old order's fill was reported: the fill is booked to the replaced order, which
    // changes it (its filled quantity), so its updatedAt moves to that booking too.
    [Fact]
    public async Task AFillOfAReplacedOrderReportedAfterTheReplace_MovesItsUpdatedAtToTheBooking()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await StartClusterAsync(time);
        await Market.QuoteAsync(cluster, "TSUR", 48.9m, 49m, size: 4m);
        var account = await TestAccounts.OpenAsync(cluster, "ts-replaced", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("ts-rep-1", "TSUR", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { LimitPrice = 48.5m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        Assert.Equal(Start, (await account.GetOrderAsync(placed.Order.OrderId))!.UpdatedAt);

        time.Advance(ReportDelay);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the late fill");

        var old = (await account.GetOrderAsync(placed.Order.OrderId))!;
        Assert.Equal((OrderStatus.Replaced, 4m), (old.Status, old.FilledQuantity));
        Assert.Equal(Start + ReportDelay, old.UpdatedAt);
    }
    // A take-profit's partial fill shrinks its sibling stop at the venue, and the account's stop follows when the report
    // comes: a change of the order like any other, so its updatedAt moves to that moment.
    [Fact]
    public async Task AStopTheVenueShrinksAfterItsSiblingsPartialFill_MovesItsUpdatedAtToTheResize()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await StartClusterAsync(time);
        await Market.QuoteAsync(cluster, "TSUB", 48.9m, 49m);
        var account = await TestAccounts.OpenAsync(cluster, "ts-bracket", 100_000m);
        var entry = Market.AsBracket(Market.MarketOrder("ts-br-1", "TSUB", OrderSide.Buy, 10m), takeProfit: 55m, stopLoss: 45m);
        var placed = await account.PlaceOrderAsync(entry);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        time.Advance(ReportDelay);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the entry's fill");

        await Market.QuoteAsync(cluster, "TSUB", 55m, 55.1m, size: 4m);
        time.Advance(ReportDelay);
        var stop = await Eventually.WaitAsync(
            () => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Any(e => e.ParentOrderId is not null && e.Type == OrderType.Stop && e.Quantity == 6m),
            "the stop shrunk to the 6 left");

        Assert.Equal(Start + ReportDelay + ReportDelay, stop!.Single(e => e.Type == OrderType.Stop).UpdatedAt);
    }
}
