using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

public sealed class PaperExchangeLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DayOrder_ExpiresAt1600NewYork_WithNoMarketData()
    {
        await using var venue = await StartAsync(o => o.Calendar = PaperCalendarKind.Nyse);
        var order = await venue.SubmitAsync(Request("day", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);

        // 16:00 EDT on 2026-03-10 is 20:00 UTC.
        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 19, 59, 59, TimeSpan.Zero));
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);

        venue.Time.Advance(TimeSpan.FromSeconds(1));

        var expired = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Expired));
        Assert.Equal(FillReasons.DayExpired, expired.Reason);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero), expired.Timestamp);
        Assert.Equal(OrderStatus.Expired, (await venue.OrderAsync(order.OrderId)).Status);
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task DayOrder_OnAnEarlyCloseDay_ExpiresAt1300NewYork()
    {
        // The day after Thanksgiving 2026 closes at 13:00 EST, 18:00 UTC; the order is accepted at 10:00 EST.
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        await using var venue = await StartAsync(o => o.Calendar = PaperCalendarKind.Nyse, time: time);
        var order = await venue.SubmitAsync(Request("early", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);

        venue.Time.AdvanceTo(new DateTimeOffset(2026, 11, 27, 17, 59, 59, TimeSpan.Zero));
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);

        venue.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero),
            Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Expired)).Timestamp);
    }

    [Fact]
    public async Task ExtendedHoursDayOrder_ExpiresAtTheAfterHoursClose()
    {
        await using var venue = await StartAsync(o => o.Calendar = PaperCalendarKind.Nyse);
        var request = Request("ext", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m) with { ExtendedHours = true };
        var order = await venue.SubmitAsync(request);

        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero));
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);

        // 20:00 EDT is 00:00 UTC the next day.
        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero),
            Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Expired)).Timestamp);
    }

    [Fact]
    public async Task GtcOrder_DoesNotExpire_AtTheClose()
    {
        await using var venue = await StartAsync(o => o.Calendar = PaperCalendarKind.Nyse);
        var order = await venue.SubmitAsync(Request("gtc", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m, tif: TimeInForce.Gtc));

        venue.Time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task Bracket_ActivatesItsExitsOnTheEntryFill_AndCancelsTheStopWhenTheTakeProfitFills()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.00m, 101.00m);
        var request = Request("bracket", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };

        var entry = await venue.SubmitAsync(request);

        Assert.Equal(2, entry.Legs.Count);
        Assert.All(entry.Legs, leg => Assert.Equal(OrderStatus.PendingNew, leg.Status));
        Assert.All(entry.Legs, leg => Assert.Equal(OrderSide.Sell, leg.Side));
        Assert.All(entry.Legs, leg => Assert.Equal(entry.OrderId, leg.ParentOrderId));
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);
        Assert.Equal(105.00m, takeProfit.LimitPrice);
        Assert.Equal(95.00m, stopLoss.StopPrice);

        // A bid through the take-profit would fill it if it were working; held, it waits for the entry.
        await venue.QuoteAsync(106.00m, 107.00m);
        Assert.Equal(OrderStatus.PendingNew, (await venue.OrderAsync(takeProfit.OrderId)).Status);
        Assert.Equal(0m, (await venue.OrderAsync(takeProfit.OrderId)).FilledQuantity);

        await venue.QuoteAsync(99.90m, 100.00m);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);
        await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Accepted);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Accepted);
        Assert.Equal(10m, (await venue.OrderAsync(takeProfit.OrderId)).Quantity);

        await venue.QuoteAsync(105.00m, 105.10m);

        var exit = Assert.Single(await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(105.00m, exit.Execution!.Price);
        var sibling = Assert.Single(await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Canceled));
        Assert.Equal("GROUP_SIBLING_FILLED", sibling.Reason);
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    [Fact]
    public async Task Bracket_StopLoss_IsNotTriggeredByThePrintThatFilledTheEntry_ButByTheNextOne()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.00m, 101.00m);
        var request = Request("bracket-same-print", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 99.95m),
        };
        var entry = await venue.SubmitAsync(request);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);

        // The print through the entry's limit fills it; the stop-loss was not working when it printed.
        await venue.TradeAsync(99.90m, 100m);
        Assert.Equal(100.00m, Assert.Single(await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Accepted);
        var resting = await venue.OrderAsync(stopLoss.OrderId);
        Assert.Equal((OrderStatus.Accepted, 0m), (resting.Status, resting.FilledQuantity));
        Assert.Equal(10m, Assert.Single(await venue.Client.GetPositionsAsync(Ct)).Quantity);

        await venue.TradeAsync(99.90m, 100m);
        Assert.Equal(99.00m, Assert.Single(await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    [Fact]
    public async Task Bracket_CancelingTheEntry_CancelsItsHeldExits()
    {
        await using var venue = await StartAsync();
        var request = Request("bracket-cancel", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };
        var entry = await venue.SubmitAsync(request);

        await venue.Client.CancelOrderAsync(entry.OrderId, Ct);

        foreach (var leg in entry.Legs)
        {
            Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(leg.OrderId)).Status);
        }

        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Oto_ActivatesItsExitForThePartiallyFilledQuantity_WhenTheEntryIsCanceled()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 4m);
        var request = Request("oto", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Oto,
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };

        var entry = await venue.SubmitAsync(request);
        var stopLoss = Assert.Single(entry.Legs);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.PartialFill);
        Assert.Equal(OrderStatus.PendingNew, (await venue.OrderAsync(stopLoss.OrderId)).Status);

        await venue.Client.CancelOrderAsync(entry.OrderId, Ct);

        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Accepted);
        var protecting = await venue.OrderAsync(stopLoss.OrderId);
        Assert.Equal(4m, protecting.Quantity);
        Assert.Equal(OrderSide.Sell, protecting.Side);
        await venue.QuoteAsync(94.50m, 94.60m);
        await venue.TradeAsync(94.90m, 100m);
        var fill = Assert.Single(await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(4m, fill.Execution!.Quantity);
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    [Fact]
    public async Task Bracket_CancelingAPartlyFilledEntry_MatchesItsActivatedExitsAtOnce()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 4m);
        var entry = await venue.SubmitAsync(Request("bracket-cancel", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 101.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        });
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.PartialFill);
        await venue.QuoteAsync(101.50m, 101.60m);

        // The take-profit is activated for the 4 filled against a bid already above its limit: it fills as it is accepted.
        await venue.Client.CancelOrderAsync(entry.OrderId, Ct);

        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(takeProfit.OrderId)).Status);
        var fill = Assert.Single(await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Fill));
        Assert.Equal((101.50m, 4m), (fill.Execution!.Price, fill.Execution.Quantity));
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    [Fact]
    public async Task Oco_BothLegsWorkAtOnce_AndCancelingTheParentCancelsBoth()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var parent = await venue.SubmitAsync(SellOco("oco-cancel"));
        var stopLoss = Assert.Single(parent.Legs);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Accepted);
        Assert.Equal(2, (await venue.Client.ListOpenOrdersAsync(Ct)).Count(o => o.Status == OrderStatus.Accepted));

        await venue.Client.CancelOrderAsync(parent.OrderId, Ct);

        Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(parent.OrderId)).Status);
        Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(stopLoss.OrderId)).Status);
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Submit_ReturnsTheAcknowledgedOrder_SharedWithItsAcceptance_ButTakenAfterAnOcoStopLossIsAccepted()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);

        var simple = await venue.SubmitAsync(Request("ack-simple", OrderSide.Buy, OrderType.Limit, 10m, limit: 90.00m));
        var parent = await venue.SubmitAsync(SellOco("ack-oco"));
        var simpleAccepted = Assert.Single(await venue.WaitForAsync(simple.OrderId, ExecutionReportKind.Accepted));
        var parentAccepted = Assert.Single(await venue.WaitForAsync(parent.OrderId, ExecutionReportKind.Accepted));

        // A lone order's acceptance already shows it as acknowledged: the same immutable view, not a second copy.
        Assert.Equal(OrderStatus.Accepted, simple.Status);
        Assert.Same(simpleAccepted.Order, simple);

        // An OCO's stop-loss is accepted after the parent's report was made: the answer shows the leg accepted.
        Assert.Equal(OrderStatus.PendingNew, Assert.Single(parentAccepted.Order.Legs).Status);
        Assert.Equal(OrderStatus.Accepted, parent.Status);
        Assert.Equal(OrderStatus.Accepted, Assert.Single(parent.Legs).Status);
    }

    [Fact]
    public async Task Oco_AFilledTakeProfit_CancelsTheStopLoss()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var parent = await venue.SubmitAsync(SellOco("oco-take-profit"));
        var stopLoss = Assert.Single(parent.Legs);
        Assert.Equal(OrderSide.Sell, stopLoss.Side);

        await venue.QuoteAsync(105.00m, 105.10m);

        Assert.Equal(105.00m, Assert.Single(await venue.WaitForAsync(parent.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
        Assert.Equal("GROUP_SIBLING_FILLED", Assert.Single(await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Canceled)).Reason);
    }

    [Fact]
    public async Task Oco_StopLossFillsOnATrigger_AndTheTakeProfitIsCanceled()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var parent = await venue.SubmitAsync(SellOco("oco-stop"));
        var stopLoss = Assert.Single(parent.Legs);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Accepted);

        await venue.QuoteAsync(94.80m, 94.90m);
        await venue.TradeAsync(94.90m, 100m);

        Assert.Equal(94.80m, Assert.Single(await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
        Assert.Equal("GROUP_SIBLING_FILLED", Assert.Single(await venue.WaitForAsync(parent.OrderId, ExecutionReportKind.Canceled)).Reason);
    }

    [Fact]
    public async Task Bracket_PartlyFilledDayEntry_ExpiresAtTheClose_AndItsExitsExpireWithIt()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 4m);
        var request = Request("bracket-day", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };
        var entry = await venue.SubmitAsync(request);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.PartialFill);

        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero));

        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Expired);
        foreach (var leg in entry.Legs)
        {
            await venue.WaitForAsync(leg.OrderId, ExecutionReportKind.Expired);
            var expired = await venue.OrderAsync(leg.OrderId);
            Assert.Equal(4m, expired.Quantity);
        }

        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
        Assert.Equal(new BrokerPosition("AAPL", 4m, 100.00m), Assert.Single(await venue.Client.GetPositionsAsync(Ct)));
    }

    [Fact]
    public async Task Latency_DelaysTheAcknowledgementAndTheFillReport_OnTheInjectedClock()
    {
        await using var venue = await StartAsync(o =>
        {
            o.AckLatency = TimeSpan.FromMilliseconds(50);
            o.FillLatency = TimeSpan.FromMilliseconds(100);
        });
        await venue.QuoteAsync(99.90m, 100.00m);

        var order = await venue.SubmitAsync(Request("latency", OrderSide.Buy, OrderType.Market, 10m));
        Assert.Equal(OrderStatus.PendingNew, order.Status);
        venue.Time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(OrderStatus.PendingNew, (await venue.OrderAsync(order.OrderId)).Status);
        Assert.Empty(venue.ReportsFor(order.OrderId));

        venue.Time.Advance(TimeSpan.FromMilliseconds(1));

        var accepted = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted));
        Assert.Equal(Start.AddMilliseconds(50), accepted.Timestamp);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(order.OrderId)).Status);
        venue.Time.Advance(TimeSpan.FromMilliseconds(99));
        await Assert.ThrowsAsync<TimeoutException>(() => venue.Reports!.WaitForAsync(
            r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Fill, timeout: TimeSpan.FromMilliseconds(150)));

        venue.Time.Advance(TimeSpan.FromMilliseconds(1));

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(Start.AddMilliseconds(50), fill.Execution!.Timestamp);
        Assert.Equal([ExecutionReportKind.Accepted, ExecutionReportKind.Fill], venue.ReportsFor(order.OrderId).Select(r => r.Kind));
    }

    // A cancel is answered at once, but its report comes after the acknowledgement latency, as a replace's does.
    [Fact]
    public async Task Latency_DelaysTheCanceledReport_ByTheAcknowledgementLatency()
    {
        await using var venue = await StartAsync(o => o.AckLatency = TimeSpan.FromMilliseconds(50));
        var order = await venue.SubmitAsync(Request("cancel-latency", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m));
        venue.Time.Advance(TimeSpan.FromMilliseconds(50));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);

        var canceled = await venue.Client.CancelOrderAsync(order.OrderId, TestContext.Current.CancellationToken);
        Assert.Equal(OrderStatus.Canceled, canceled.Status);
        venue.Time.Advance(TimeSpan.FromMilliseconds(49));
        await Assert.ThrowsAsync<TimeoutException>(() => venue.Reports!.WaitForAsync(
            r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Canceled, timeout: TimeSpan.FromMilliseconds(150)));

        venue.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled));
        Assert.Equal([ExecutionReportKind.Accepted, ExecutionReportKind.Canceled], venue.ReportsFor(order.OrderId).Select(r => r.Kind));
    }

    // The latencies count elapsed time: due on the wall clock, the acknowledgement and the fill report waited, with the clock
    // set back 20 minutes (an operator's mistake, NTP stepping a clock that ran fast), until it read their due times again,
    // 20 minutes later, the order PendingNew at the account all along.
    [Fact]
    public async Task Latency_DelaysTheAcknowledgementAndTheFillReport_ByElapsedTime_WhenTheWallClockIsSetBack()
    {
        await using var venue = await StartAsync(o =>
        {
            o.AckLatency = TimeSpan.FromMilliseconds(50);
            o.FillLatency = TimeSpan.FromMilliseconds(100);
        });
        await venue.QuoteAsync(99.90m, 100.00m);
        var order = await venue.SubmitAsync(Request("set-back", OrderSide.Buy, OrderType.Market, 10m));

        venue.Time.Step(-TimeSpan.FromMinutes(20));
        venue.Time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted));
        venue.Time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
    }

    [Fact]
    public async Task ZeroLatency_StillDeliversReportsAfterTheCallReturns_InOrder()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 4m);

        var order = await venue.SubmitAsync(Request("zero", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m));
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 6m);
        await venue.Client.GetOrderAsync(order.OrderId, Ct);

        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
        Assert.Equal(
            [ExecutionReportKind.Accepted, ExecutionReportKind.PartialFill, ExecutionReportKind.Fill],
            venue.ReportsFor(order.OrderId).Select(r => r.Kind));
        Assert.Equal([4m, 10m], venue.ReportsFor(order.OrderId).Where(r => r.Execution is not null).Select(r => r.Order.FilledQuantity));
    }

    [Fact]
    public async Task Submit_CreatesOneOrder_When100ConcurrentSubmitsShareAClientOrderId()
    {
        await using var venue = await StartAsync();
        var request = Request("storm", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m);
        using var go = new ManualResetEventSlim();

        var submits = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            go.Wait(Ct);
            return await venue.Client.SubmitOrderAsync(request, Ct);
        }, Ct)).ToList();
        go.Set();
        var orders = await Task.WhenAll(submits);

        Assert.Single(orders.Select(o => o.OrderId).Distinct());
        Assert.Equal(orders[0].OrderId, Assert.Single(await venue.Client.ListOpenOrdersAsync(Ct)).OrderId);
        Assert.Single(await venue.Store.LoadAsync(AccountId, Ct) is { } snapshot ? snapshot.Orders : []);
        Assert.Single(await venue.WaitForAsync(orders[0].OrderId, ExecutionReportKind.Accepted));
    }

    [Fact]
    public async Task ReportStream_IsDisconnectedWithUnavailable_WhenItsReaderFallsBehindTheBacklogCap()
    {
        await using var venue = await StartAsync(o => o.MaxSubscriberBacklog = 2, collect: false);
        await using var stream = venue.Client.StreamExecutionReportsAsync(Ct).GetAsyncEnumerator(Ct);
        var first = stream.MoveNextAsync();
        await venue.Exchange.WhenReportStreamOpenAsync(AccountId, Ct);
        var a = await venue.SubmitAsync(Request("bp-a", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));
        Assert.True(await first);
        Assert.Equal(a.OrderId, stream.Current.Order.OrderId);

        var b = await venue.SubmitAsync(Request("bp-b", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));
        var c = await venue.SubmitAsync(Request("bp-c", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));
        await venue.SubmitAsync(Request("bp-d", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));

        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(b.OrderId, stream.Current.Order.OrderId);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal(c.OrderId, stream.Current.Order.OrderId);
        var error = await Assert.ThrowsAsync<BrokerException>(async () => await stream.MoveNextAsync());
        Assert.Equal(BrokerErrorKind.Unavailable, error.Kind);
        Assert.Equal(4, (await venue.Client.ListOpenOrdersAsync(Ct)).Count);
    }

    [Fact]
    public async Task Cancel_ThrowsRejected_WhenTheOrderIsAlreadyCanceled()
    {
        await using var venue = await StartAsync();
        var order = await venue.SubmitAsync(Request("twice", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));
        await venue.Client.CancelOrderAsync(order.OrderId, Ct);

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled));
    }

    /// <summary>Closes a long: take profit at 105 (the order itself), stop out at 95 (its child).</summary>
    // A partial fill of the take-profit shrinks the stop-loss to the 70 still open; the stop then fills those 70 and cancels
    // the take-profit once: 100 sold in all, never more.
    [Fact]
    public async Task Oco_APartlyFilledTakeProfit_ShrinksTheStopLoss_WhichFillsTheRest_AndCancelsTheTakeProfitOnce()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var parent = await venue.SubmitAsync(Request("oco-partial", OrderSide.Sell, OrderType.Limit, 100m, limit: 105.00m) with
        {
            OrderClass = OrderClass.Oco,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        });
        var stopLoss = Assert.Single(parent.Legs);

        await venue.QuoteAsync(105.00m, 105.10m, bidSize: 30m);
        await venue.WaitForAsync(parent.OrderId, ExecutionReportKind.PartialFill);
        Assert.Equal(70m, (await venue.OrderAsync(stopLoss.OrderId)).Quantity);
        await venue.QuoteAsync(94.00m, 94.10m, bidSize: 500m);
        await venue.TradeAsync(94.50m, 100m);

        // Reports leave in order: once a later order's acceptance is seen, every report of the exits is in.
        var marker = await venue.SubmitAsync(Request("oco-partial-marker", OrderSide.Buy, OrderType.Limit, 1m, limit: 90.00m));
        await venue.WaitForAsync(marker.OrderId, ExecutionReportKind.Accepted);
        Assert.Equal(70m, Assert.Single(venue.ReportsFor(stopLoss.OrderId), r => r.Kind == ExecutionReportKind.Fill).Execution!.Quantity);
        Assert.Equal("GROUP_SIBLING_FILLED", Assert.Single(venue.ReportsFor(parent.OrderId), r => r.Kind == ExecutionReportKind.Canceled).Reason);
        var takeProfit = await venue.OrderAsync(parent.OrderId);
        Assert.Equal((OrderStatus.Canceled, 30m), (takeProfit.Status, takeProfit.FilledQuantity));
        Assert.Equal(-100m, Assert.Single(await venue.Client.GetPositionsAsync(Ct)).Quantity);
    }

    // The entry never filled: at the close it expires and its held exits are canceled with it, none left to protect nothing.
    [Fact]
    public async Task Bracket_UnfilledDayEntry_ExpiresAtTheClose_AndCancelsItsHeldExits()
    {
        await using var venue = await StartAsync();
        var entry = await venue.SubmitAsync(Request("bracket-unfilled", OrderSide.Buy, OrderType.Limit, 10m, limit: 90.00m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 85.00m),
        });

        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero));

        Assert.Equal(FillReasons.DayExpired, Assert.Single(await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Expired)).Reason);
        foreach (var leg in entry.Legs)
        {
            Assert.Equal("GROUP_PARENT_ENDED", Assert.Single(await venue.WaitForAsync(leg.OrderId, ExecutionReportKind.Canceled)).Reason);
        }

        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    // Only a DAY order replaced by a DAY order keeps its expiry; a GTC order made DAY expires at the close, a DAY order made
    // GTC does not.
    [Fact]
    public async Task Replace_MakingAGtcOrderDay_ExpiresItAtTheClose_AndMakingADayOrderGtc_KeepsItWorking()
    {
        await using var venue = await StartAsync(o => o.Calendar = PaperCalendarKind.Nyse);
        var gtc = await venue.SubmitAsync(Request("was-gtc", OrderSide.Buy, OrderType.Limit, 10m, limit: 90.00m, tif: TimeInForce.Gtc));
        var day = await venue.SubmitAsync(Request("was-day", OrderSide.Buy, OrderType.Limit, 10m, limit: 90.00m));

        var nowDay = await venue.Client.ReplaceOrderAsync(gtc.OrderId, new OrderReplacement { TimeInForce = TimeInForce.Day }, Ct);
        var nowGtc = await venue.Client.ReplaceOrderAsync(day.OrderId, new OrderReplacement { TimeInForce = TimeInForce.Gtc }, Ct);
        venue.Time.AdvanceTo(new DateTimeOffset(2026, 3, 11, 14, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 20, 0, 0, TimeSpan.Zero),
            Assert.Single(await venue.WaitForAsync(nowDay.OrderId, ExecutionReportKind.Expired)).Timestamp);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(nowGtc.OrderId)).Status);
    }

    private static OrderRequest SellOco(string clientOrderId) =>
        Request(clientOrderId, OrderSide.Sell, OrderType.Limit, 10m, limit: 105.00m) with
        {
            OrderClass = OrderClass.Oco,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };
}
