using System.Text.Json;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

public sealed class PaperExchangeDurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_ResumesWorkingOrders_AndFillsContinueWithoutDuplicateExecutionIds()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        string partialId;
        string firstExecutionId;
        await using (var before = await StartAsync(store: store, time: time))
        {
            await before.QuoteAsync(99.90m, 100.00m, askSize: 4m);
            var partial = await before.SubmitAsync(Request("resume", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc));
            partialId = partial.OrderId;
            firstExecutionId = Assert.Single(await before.WaitForAsync(partialId, ExecutionReportKind.PartialFill)).Execution!.ExecutionId;
        }

        await using var after = await StartAsync(store: store, time: time);

        var restored = Assert.Single(await after.Client.ListOpenOrdersAsync(Ct));
        Assert.Equal(partialId, restored.OrderId);
        Assert.Equal(OrderStatus.PartiallyFilled, restored.Status);
        Assert.Equal(4m, restored.FilledQuantity);
        Assert.Equal(new BrokerPosition("AAPL", 4m, 100.00m), Assert.Single(await after.Client.GetPositionsAsync(Ct)));

        await after.QuoteAsync(99.90m, 100.00m, askSize: 50m);

        var fill = Assert.Single(await after.WaitForAsync(partialId, ExecutionReportKind.Fill));
        Assert.Equal(6m, fill.Execution!.Quantity);
        Assert.Equal($"{partialId}-2", fill.Execution.ExecutionId);
        Assert.DoesNotContain(after.Reports!.Reports, r => r.Execution?.ExecutionId == firstExecutionId);
        var executions = await after.Client.GetExecutionsSinceAsync(Start, Ct);
        Assert.Equal([firstExecutionId, $"{partialId}-2"], executions.Select(e => e.ExecutionId));
        Assert.Equal(new BrokerPosition("AAPL", 10m, 100.00m), Assert.Single(await after.Client.GetPositionsAsync(Ct)));
    }

    [Fact]
    public async Task Restart_AcknowledgesAnOrderThatWasSavedButNotYetAccepted()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        void Slow(PaperExchangeOptions o) => o.AckLatency = TimeSpan.FromMilliseconds(20);
        string orderId;
        await using (var before = await StartAsync(Slow, store: store, time: time))
        {
            orderId = (await before.SubmitAsync(Request("in-flight", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m))).OrderId;
        }

        await using var after = await StartAsync(Slow, store: store, time: time);
        Assert.Equal(OrderStatus.PendingNew, (await after.OrderAsync(orderId)).Status);
        var again = await after.SubmitAsync(Request("in-flight", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m));
        Assert.Equal(orderId, again.OrderId);

        time.Advance(TimeSpan.FromMilliseconds(20));

        await after.WaitForAsync(orderId, ExecutionReportKind.Accepted);
        Assert.Equal(OrderStatus.Accepted, (await after.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task Restart_AcknowledgesAPendingOrderAfterTheLatency_WhenTheClockWasSetBackSinceItWasSaved()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        void Slow(PaperExchangeOptions o) => o.AckLatency = TimeSpan.FromMilliseconds(20);
        string orderId;
        await using (var before = await StartAsync(Slow, store: store, time: time))
        {
            orderId = (await before.SubmitAsync(Request("set-back-restart", OrderSide.Buy, OrderType.Limit, 10m, limit: 90m))).OrderId;
        }

        // Its stored creation time is now an hour ahead of the clock: what is left of the latency is still at most the latency.
        time.Step(-TimeSpan.FromHours(1));
        await using var after = await StartAsync(Slow, store: store, time: time);
        time.Advance(TimeSpan.FromMilliseconds(20));

        await after.WaitForAsync(orderId, ExecutionReportKind.Accepted);
        Assert.Equal(OrderStatus.Accepted, (await after.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task Retention_MovesOldFinalOrdersAndExecutionsToTheArchive_WhereTheyAreStillFound()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var old = await venue.SubmitAsync(Request("old", OrderSide.Buy, OrderType.Market, 5m, tif: TimeInForce.Gtc));
        var oldExecution = Assert.Single(await venue.WaitForAsync(old.OrderId, ExecutionReportKind.Fill)).Execution!;

        venue.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await venue.SubmitAsync(Request("fresh", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));

        var snapshot = await venue.Store.LoadAsync(AccountId, Ct);
        Assert.Equal([fresh.OrderId], snapshot!.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(snapshot.Executions);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(old.OrderId)).Status);
        Assert.Equal(old.OrderId, (await venue.Client.GetOrderByClientOrderIdAsync("old", Ct))!.OrderId);
        Assert.Equal(old.OrderId, (await venue.SubmitAsync(Request("old", OrderSide.Buy, OrderType.Market, 5m, tif: TimeInForce.Gtc))).OrderId);
        Assert.Equal([oldExecution.ExecutionId], (await venue.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId));
        var cancel = await Assert.ThrowsAsync<BrokerException>(() => venue.Client.CancelOrderAsync(old.OrderId, Ct));
        Assert.Equal(BrokerErrorKind.Rejected, cancel.Kind);
    }

    [Fact]
    public async Task DefaultRetention_KeepsFinalOrdersInMemoryForAnHourOnly_AndTheArchiveStillFindsThem()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var old = await venue.SubmitAsync(Request("old", OrderSide.Buy, OrderType.Market, 5m, tif: TimeInForce.Gtc));
        var oldExecution = Assert.Single(await venue.WaitForAsync(old.OrderId, ExecutionReportKind.Fill)).Execution!;

        // Inside the window the filled order is still in memory (and so in the live snapshot).
        venue.Time.Advance(TimeSpan.FromMinutes(50));
        await venue.SubmitAsync(Request("inside", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));
        Assert.Contains(old.OrderId, (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.Select(o => o.Order.OrderId));

        venue.Time.Advance(TimeSpan.FromMinutes(20));
        var fresh = await venue.SubmitAsync(Request("fresh", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));

        var snapshot = await venue.Store.LoadAsync(AccountId, Ct);
        Assert.Equal(TimeSpan.FromHours(1), PaperExchangeOptions.DefaultRetention);
        Assert.DoesNotContain(old.OrderId, snapshot!.Orders.Select(o => o.Order.OrderId));
        Assert.Contains(fresh.OrderId, snapshot.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(snapshot.Executions);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(old.OrderId)).Status);
        Assert.Equal(old.OrderId, (await venue.Client.GetOrderByClientOrderIdAsync("old", Ct))!.OrderId);
        Assert.Equal(old.OrderId, (await venue.SubmitAsync(Request("old", OrderSide.Buy, OrderType.Market, 5m, tif: TimeInForce.Gtc))).OrderId);
        Assert.Equal([oldExecution.ExecutionId], (await venue.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId));
    }

    [Fact]
    public async Task MaxRetainedOrders_SendsTheOldestFinalOrdersToTheArchiveEarly_WhereTheyAreStillFound()
    {
        await using var venue = await StartAsync(o => o.MaxRetainedOrders = 10);
        await venue.QuoteAsync(99.90m, 100.00m);
        var orderIds = new List<string>();
        var executionIds = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            // Well inside the hour of Retention: only the count sends orders to the archive.
            venue.Time.Advance(TimeSpan.FromSeconds(1));
            var order = await venue.SubmitAsync(Request($"o{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
            orderIds.Add(order.OrderId);
            executionIds.Add(Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill)).Execution!.ExecutionId);
        }

        var inMemory = (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.Select(o => o.Order.OrderId).ToList();

        // Past 10, the oldest final orders leave until 5 are left; the newest order is always among those kept.
        Assert.InRange(inMemory.Count, 5, 10);
        Assert.Contains(orderIds[^1], inMemory);
        Assert.DoesNotContain(orderIds[0], inMemory);
        foreach (var orderId in orderIds)
        {
            Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(orderId)).Status);
        }

        Assert.Equal(executionIds, (await venue.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId));
        Assert.Equal(orderIds[0], (await venue.SubmitAsync(Request("o0", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc))).OrderId);
    }

    /// <summary>
    /// A frozen clock (or a burst within one tick) stamps every order and fill with one instant: the trim by count still
    /// keeps the newest orders by arrival and sends the rest to the archive. It cut by time alone, so orders sharing the
    /// cutoff's time all stayed (100 of 100 here), and every later save walked and sorted them all again.
    /// </summary>
    [Fact]
    public async Task MaxRetainedOrders_TrimsByCount_WhenEveryOrderSharesOneTimestamp()
    {
        const int Orders = 100;
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        var orderIds = new List<string>();
        var executionIds = new List<string>();
        await using (var venue = await StartAsync(o => o.MaxRetainedOrders = 10, store: store, time: time))
        {
            await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000_000m);
            for (var i = 0; i < Orders; i++)
            {
                var order = await venue.SubmitAsync(Request($"t{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
                orderIds.Add(order.OrderId);
                executionIds.Add(Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill)).Execution!.ExecutionId);
            }

            var saved = (await store.LoadAsync(AccountId, Ct))!;
            var inMemory = saved.Orders.Select(o => o.Order.OrderId).ToList();
            Assert.InRange(inMemory.Count, 5, 10);
            Assert.InRange(saved.Executions.Count, 0, 10);
            Assert.Equal(orderIds[^inMemory.Count..], inMemory);

            // The first save's pass by age, then one pass by count each time the orders exceed the bound again: each
            // leaves half of it, so at most one per 5 orders.
            Assert.InRange(venue.Exchange.RetentionPassesOf(AccountId), 1, 1 + (Orders / 5));

            foreach (var orderId in orderIds)
            {
                Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(orderId)).Status);
            }

            Assert.Equal(executionIds, (await venue.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId));
            Assert.Equal(orderIds[0], (await venue.SubmitAsync(Request("t0", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc))).OrderId);
        }

        // Restored, the venue still asks the archive for the fills of the orders that left at the very same instant.
        await using var after = await StartAsync(o => o.MaxRetainedOrders = 10, store: store, time: time);
        Assert.Equal(executionIds, (await after.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId));
        Assert.Equal(orderIds[0], (await after.Client.GetOrderByClientOrderIdAsync("t0", Ct))!.OrderId);
    }

    /// <summary>
    /// At one instant an order that arrived first can fill after one that arrived later: the trim by count that keeps the
    /// later one sends the earlier to the archive and leaves its fill behind the kept one's, as the list drops only at its
    /// front. Every later trim then stopped at that fill (its order was no longer among the leaving ones), so under a
    /// frozen clock no fill left memory again: 101 of 101 here, with the orders still within the bound.
    /// </summary>
    [Fact]
    public async Task MaxRetainedOrders_BoundsTheFills_WhenAnEarlierOrderFillsAfterALaterOneAtOneTimestamp()
    {
        const int Orders = 100;
        var store = new InMemoryPaperVenueStore();
        await using var venue = await StartAsync(o => o.MaxRetainedOrders = 10, store: store, time: new ManualTimeProvider(Start));
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000_000m);
        var first = await venue.SubmitAsync(Request("first", OrderSide.Buy, OrderType.Limit, 1m, limit: 99.00m, tif: TimeInForce.Gtc));
        var later = await venue.SubmitAsync(Request("later", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
        await venue.WaitForAsync(later.OrderId, ExecutionReportKind.Fill);
        await venue.QuoteAsync(98.90m, 99.00m, askSize: 1_000_000m);
        await venue.WaitForAsync(first.OrderId, ExecutionReportKind.Fill);

        // Five resting orders, so the first trim (at 11 orders, keeping the newest 5 final ones) keeps "later" and sends
        // "first" alone to the archive.
        for (var i = 0; i < 5; i++)
        {
            await venue.SubmitAsync(Request($"rest{i}", OrderSide.Buy, OrderType.Limit, 1m, limit: 90.00m, tif: TimeInForce.Gtc));
        }

        var executionIds = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            var order = await venue.SubmitAsync(Request($"m{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
            executionIds.Add(Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill)).Execution!.ExecutionId);
        }

        var saved = (await store.LoadAsync(AccountId, Ct))!;
        Assert.InRange(saved.Orders.Count, 5, 10);
        Assert.InRange(saved.Executions.Count, 0, 10);

        // Every fill is still answered, once, from memory or the archive.
        var answered = (await venue.Client.GetExecutionsSinceAsync(Start, Ct)).Select(e => e.ExecutionId).ToList();
        Assert.Equal(Orders + 2, answered.Count);
        Assert.Equal(Orders + 2, answered.Distinct().Count());
        Assert.Subset(answered.ToHashSet(), executionIds.ToHashSet());
    }

    [Fact]
    public async Task ADoneBracket_IsFoundWithItsLegs_UntilTheRetentionArchivesItWhole()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var entry = await venue.SubmitAsync(Request("done-bracket", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        });
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);
        await venue.QuoteAsync(105.00m, 105.10m);
        await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Fill);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Canceled);

        // Every member is final: the parent still shows its legs as they ended, and the group's ids still answer.
        var done = await venue.OrderAsync(entry.OrderId);
        Assert.Equal(OrderStatus.Filled, done.Status);
        Assert.Equal([OrderStatus.Filled, OrderStatus.Canceled], done.Legs.OrderBy(l => l.Type).Select(l => l.Status));
        Assert.Equal(entry.OrderId, (await venue.Client.GetOrderByClientOrderIdAsync("done-bracket", Ct))!.OrderId);
        Assert.Equal(entry.OrderId, (await venue.SubmitAsync(Request("done-bracket", OrderSide.Buy, OrderType.Market, 1m))).OrderId);
        var cancel = await Assert.ThrowsAsync<BrokerException>(() => venue.Client.CancelOrderAsync(stopLoss.OrderId, Ct));
        Assert.Equal(BrokerErrorKind.Rejected, cancel.Kind);
        Assert.Equal(3, (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.Count);

        venue.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await venue.SubmitAsync(Request("after-bracket", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m, tif: TimeInForce.Gtc));

        var snapshot = (await venue.Store.LoadAsync(AccountId, Ct))!;
        Assert.Equal([fresh.OrderId], snapshot.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(snapshot.Groups);
        foreach (var id in new[] { entry.OrderId, takeProfit.OrderId, stopLoss.OrderId })
        {
            Assert.True((await venue.OrderAsync(id)).Status.IsFinal());
        }
    }

    [Fact]
    public async Task Restart_KeepsFinalOrdersFindable_AndMaxRetainedOrdersStillHolds()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        var orderIds = new List<string>();
        await using (var before = await StartAsync(o => o.MaxRetainedOrders = 10, store: store, time: time))
        {
            await before.QuoteAsync(99.90m, 100.00m);
            for (var i = 0; i < 8; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                var order = await before.SubmitAsync(Request($"r{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
                orderIds.Add(order.OrderId);
                await before.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
            }
        }

        await using var after = await StartAsync(o => o.MaxRetainedOrders = 10, store: store, time: time);
        Assert.Empty(await after.Client.ListOpenOrdersAsync(Ct));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(OrderStatus.Filled, (await after.OrderAsync(orderIds[i])).Status);
            Assert.Equal(orderIds[i], (await after.Client.GetOrderByClientOrderIdAsync($"r{i}", Ct))!.OrderId);
        }

        Assert.Equal(orderIds[3], (await after.SubmitAsync(Request("r3", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc))).OrderId);

        await after.QuoteAsync(99.90m, 100.00m);
        for (var i = 8; i < 14; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var order = await after.SubmitAsync(Request($"r{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
            orderIds.Add(order.OrderId);
            await after.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
        }

        // The restored orders count toward the bound and go first, oldest first. (The first pass after a restart, by time,
        // once counted them as unable to leave and let 14 stay.)
        var inMemory = (await after.Store.LoadAsync(AccountId, Ct))!.Orders.Select(o => o.Order.OrderId).ToList();
        Assert.InRange(inMemory.Count, 5, 10);
        Assert.DoesNotContain(orderIds[0], inMemory);
        Assert.Contains(orderIds[^1], inMemory);
        foreach (var orderId in orderIds)
        {
            Assert.Equal(OrderStatus.Filled, (await after.OrderAsync(orderId)).Status);
        }
    }

    [Fact]
    public async Task MaxRetainedOrders_NeverSendsWorkingOrdersToTheArchive()
    {
        await using var venue = await StartAsync(o => o.MaxRetainedOrders = 10);
        await venue.QuoteAsync(99.90m, 100.00m);
        var working = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            venue.Time.Advance(TimeSpan.FromSeconds(1));
            working.Add((await venue.SubmitAsync(Request($"w{i}", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m, tif: TimeInForce.Gtc))).OrderId);
        }

        Assert.Equal(working.Order(StringComparer.Ordinal), (await venue.Client.ListOpenOrdersAsync(Ct)).Select(o => o.OrderId).Order(StringComparer.Ordinal));
        Assert.Equal(25, (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.Count);
    }

    [Fact]
    public async Task FinalOrders_KeepNoMatchingState_WhileWorkingOrdersKeepTheirs()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var filled = await venue.SubmitAsync(Request("filled", OrderSide.Buy, OrderType.Market, 5m, tif: TimeInForce.Gtc));
        await venue.WaitForAsync(filled.OrderId, ExecutionReportKind.Fill);
        var working = await venue.SubmitAsync(Request("working", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));
        var canceled = await venue.SubmitAsync(Request("canceled", OrderSide.Buy, OrderType.Limit, 5m, limit: 90m, tif: TimeInForce.Gtc));
        await venue.Client.CancelOrderAsync(canceled.OrderId, Ct);

        var orders = (await venue.Store.LoadAsync(AccountId, Ct))!.Orders.ToDictionary(r => r.Order.OrderId, StringComparer.Ordinal);

        Assert.Null(orders[filled.OrderId].Matching);
        Assert.Null(orders[canceled.OrderId].Matching);
        Assert.Equal(5m, orders[working.OrderId].Matching?.LeavesQuantity);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(filled.OrderId)).Status);
        Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(canceled.OrderId)).Status);
    }

    [Fact]
    public async Task Submit_ThrowsOutcomeUnknown_AndKeepsNothing_WhenTheStoreFails()
    {
        var store = new FailingStore();
        await using var venue = await StartAsync(store: store);
        store.Fail = true;

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(Request("unsaved", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m)));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Null(await venue.Client.GetOrderByClientOrderIdAsync("unsaved", Ct));
        Assert.Empty(venue.Reports!.Reports);
        store.Fail = false;
        var retried = await venue.SubmitAsync(Request("unsaved", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m));
        Assert.Equal(retried.OrderId, Assert.Single(await venue.Client.ListOpenOrdersAsync(Ct)).OrderId);
    }

    [Fact]
    public async Task MarketEvent_WhoseFillsAreNotSaved_LeavesTheQuotesSizeForTheNextEvent()
    {
        var store = new FailingStore();
        await using var venue = await StartAsync(store: store);
        var order = await venue.SubmitAsync(Request("unsaved-fill", OrderSide.Buy, OrderType.Market, 10m));
        store.Fail = true;
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 10m);
        store.Fail = false;
        Assert.Equal(0m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);

        // The fill that was not saved did not happen: the 10 displayed are still there for the next event.
        await venue.TradeAsync(100.00m, 50m);

        var filled = await venue.OrderAsync(order.OrderId);
        Assert.Equal((OrderStatus.Filled, 100.00m), (filled.Status, filled.AverageFillPrice));
    }

    [Fact]
    public async Task Snapshot_SurvivesAJsonRoundTrip_AndRestoresTheSameVenue()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        string orderId;
        await using (var before = await StartAsync(store: store, time: time, collect: false))
        {
            await before.QuoteAsync(99.90m, 100.00m, askSize: 3m);
            var request = Request("json", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc) with
            {
                OrderClass = OrderClass.Bracket,
                TakeProfit = new ExitLeg(LimitPrice: 110.00m),
                StopLoss = new ExitLeg(StopPrice: 90.00m, LimitPrice: 89.50m),
            };
            orderId = (await before.SubmitAsync(request)).OrderId;
        }

        var json = JsonSerializer.Serialize(await store.LoadAsync(AccountId, Ct));
        var copy = new InMemoryPaperVenueStore();
        var restored = JsonSerializer.Deserialize<PaperVenueSnapshot>(json)!;
        await copy.SaveAsync(AccountId, null, () => restored, Ct);
        await using var after = await StartAsync(store: copy, time: time);

        var entry = await after.OrderAsync(orderId);
        Assert.Equal(OrderStatus.PartiallyFilled, entry.Status);
        Assert.Equal(3m, entry.FilledQuantity);
        Assert.Equal(2, entry.Legs.Count);
        Assert.Equal(89.50m, entry.Legs.Single(l => l.Type == OrderType.StopLimit).LimitPrice);
        await after.QuoteAsync(99.90m, 100.00m, askSize: 50m);
        Assert.Equal($"{orderId}-2", Assert.Single(await after.WaitForAsync(orderId, ExecutionReportKind.Fill)).Execution!.ExecutionId);
        Assert.Equal(2, (await after.Client.ListOpenOrdersAsync(Ct)).Count(o => o.ParentOrderId == orderId && o.Status == OrderStatus.Accepted));
    }

    private sealed class FailingStore() : DelegatingPaperVenueStore(new InMemoryPaperVenueStore())
    {
        public bool Fail { get; set; }

        public override Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken) =>
            Fail ? throw new IOException("storage unavailable") : base.SaveAsync(accountId, change, snapshot, cancellationToken);
    }

    // A client order id stays the archived order's: a replace naming it would give the account two orders under one id, and
    // an idempotent resubmit of the archived order would answer the replacement.
    [Fact]
    public async Task Replace_NamingTheClientOrderIdOfAnArchivedOrder_IsRefused_AndTheIdStillAnswersThatOrder()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromMinutes(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var archived = await venue.SubmitAsync(Request("used-before", OrderSide.Buy, OrderType.Market, 1m));
        venue.Time.Advance(TimeSpan.FromMinutes(5));
        var resting = await venue.SubmitAsync(Request("resting", OrderSide.Buy, OrderType.Limit, 1m, limit: 90.00m, tif: TimeInForce.Gtc));
        Assert.DoesNotContain((await venue.Store.LoadAsync(AccountId, Ct))!.Orders, r => r.Order.OrderId == archived.OrderId);

        var refused = await Assert.ThrowsAsync<BrokerException>(() =>
            venue.Client.ReplaceOrderAsync(resting.OrderId, new OrderReplacement { LimitPrice = 91.00m, ClientOrderId = "used-before" }, Ct));

        Assert.Equal(BrokerErrorKind.Rejected, refused.Kind);
        Assert.StartsWith("CLIENT_ORDER_ID_IN_USE", refused.Message, StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(resting.OrderId)).Status);
        Assert.Equal(archived.OrderId, (await venue.Client.GetOrderByClientOrderIdAsync("used-before", Ct))!.OrderId);
        Assert.Equal(archived.OrderId, (await venue.SubmitAsync(Request("used-before", OrderSide.Buy, OrderType.Market, 1m))).OrderId);
    }
}
