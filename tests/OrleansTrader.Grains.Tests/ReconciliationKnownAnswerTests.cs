using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Reconciliation as known-answer tests: each sets up one discrepancy a crash or a lost message leaves between the paper
/// venue and the account, reconciles, and checks the documented outcome (docs/grains.md, Reconciliation): orders,
/// positions, cash, fills, the report, the journal and the breaker, and that a second reconciliation changes nothing.
/// </summary>
public sealed class ReconciliationKnownAnswerTests
{
    private const decimal InitialCash = 100_000m;

    private static readonly BreakerPolicy NoErrorRateTrip = BreakerPolicy.Default with { MinErrorSamples = 1_000_000 };

    // For tests that move the clock by minutes without quotes: the quote's age would trip REDUCING first.
    private static readonly BreakerPolicy NoStaleDataTrip = NoErrorRateTrip with { StaleDataMaxAge = TimeSpan.FromDays(1) };

    // The silo and its timers run on this clock: no reconciliation but the one at activation runs unless a test asks.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));

    private readonly BrokerScript _script = new();

    private DiscrepantBrokers? _brokers;

    // A fill the account never heard of: the report was lost, the venue filled all 10. Back-filled once, exactly.
    [Fact]
    public async Task AFillWhoseReportWasLost_IsBackfilledOnce_AndTheOrderEndsFilled()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-fill");
        var orderId = await PlaceWorkingAsync(account, "rk-fill-1", 10m, 49m);

        _script.DropReports = true;
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m);
        var atVenue = await VenueFilledAsync(venue, "rk-fill-1", 10m);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        // The order ends by its fill: counted as back-filled, not as an order the lookup resolved.
        Assert.Equal((1, 0, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Filled, 10m, atVenue.AverageFillPrice), (order.Status, order.FilledQuantity, order.AverageFillPrice));
        var fill = Assert.Single(await account.GetFillsAsync(0, 10));
        Assert.Equal((orderId, 10m), (fill.OrderId, fill.Quantity));
        await AssertBooksAsync(account, ("RKS", 10m));
        Assert.Contains(await account.GetJournalAsync(0, 100), j => j.OrderId == orderId && j.To == OrderStatus.Filled);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-fill").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // Partial fills missed: 4 then 6, both reports lost. Both are back-filled, in the venue's order, at their own prices.
    [Fact]
    public async Task PartialFillsWhoseReportsWereLost_AreBackfilledInOrder_AndTheOrderEndsFilledAtTheirAveragePrice()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-part");
        var orderId = await PlaceWorkingAsync(account, "rk-part-1", 10m, 49m);

        _script.DropReports = true;
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m, size: 4m);
        await VenueFilledAsync(venue, "rk-part-1", 4m);
        var midway = await account.ReconcileAsync();

        Assert.True(midway.Mismatches.Count == 0, string.Join(" | ", midway.Mismatches));
        Assert.Equal(1, midway.BackfilledFills);
        var partly = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.PartiallyFilled, 4m), (partly.Status, partly.FilledQuantity));
        Assert.Equal(6m * 49m, (await account.GetSnapshotAsync())!.Reserved);

        await Market.QuoteAsync(cluster, "RKS", 48.4m, 48.5m);
        var atVenue = await VenueFilledAsync(venue, "rk-part-1", 10m);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal(1, report.BackfilledFills);
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Filled, 10m, atVenue.AverageFillPrice), (order.Status, order.FilledQuantity, order.AverageFillPrice));
        Assert.Equal(new[] { 4m, 6m }, (await account.GetFillsAsync(0, 10)).Select(f => f.Quantity));
        await AssertBooksAsync(account, ("RKS", 10m));
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-part").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // The venue lists the missed executions newest first and each twice: the back-fill books each once, oldest first.
    [Fact]
    public async Task ExecutionsListedOutOfOrderAndTwice_AreBookedOnceEach_OldestFirst()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-ooo");
        var orderId = await PlaceWorkingAsync(account, "rk-ooo-1", 10m, 49m);

        _script.DropReports = true;
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m, size: 4m);
        await VenueFilledAsync(venue, "rk-ooo-1", 4m);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, "RKS", 48.4m, 48.5m);
        await VenueFilledAsync(venue, "rk-ooo-1", 10m);
        _script.ScrambleExecutions = true;
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal(2, report.BackfilledFills);
        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal(new[] { 4m, 6m }, fills.Select(f => f.Quantity));
        Assert.Equal(2, fills.Select(f => f.ExecutionId).Distinct().Count());
        Assert.Equal((OrderStatus.Filled, 10m), ((await account.GetOrderAsync(orderId))!.Status, (await account.GetOrderAsync(orderId))!.FilledQuantity));
        await AssertBooksAsync(account, ("RKS", 10m));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // Fills the account missed (reports lost, as while a silo is down) are back-filled in one turn, which wrote them all
    // as one history page: a PostgreSQL soak's catch-up after a restart wrote a page of 406 entries (136 KB) where the page
    // size was 8. Pages hold at most the page size; the fills are booked once each and read back whole.
    [Fact]
    public async Task ManyFillsBackfilledInOneTurn_AreWrittenInPagesOfThePageSize()
    {
        const int pageSize = 4;
        await using var cluster = await StartAsync(pageSize);
        var (account, venue) = await OpenAsync(cluster, "rk-many");
        var orderIds = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            orderIds.Add(await PlaceWorkingAsync(account, $"rk-many-{i}", 5m, 49m));
        }

        _script.DropReports = true;
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m, size: 1_000m);
        for (var i = 0; i < orderIds.Count; i++)
        {
            await VenueFilledAsync(venue, $"rk-many-{i}", 5m);
        }

        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal(orderIds.Count, report.BackfilledFills);
        var (tail, largestPage, largestCount) = await AccountHistoryPages.SizesAsync(cluster, "rk-many");
        Assert.True(largestCount <= pageSize, $"history-{largestPage} holds {largestCount} entries; the page size is {pageSize}.");
        Assert.True(tail < pageSize, $"The core record's tail holds {tail} entries; the page size is {pageSize}.");
        var fills = await account.GetFillsAsync(0, 100);
        Assert.Equal(orderIds.Order(StringComparer.Ordinal), fills.Select(f => f.OrderId).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, orderIds.Count).Select(i => (long)i), fills.Select(f => f.Sequence));
        var events = await account.GetEventsAsync(0, 1000);
        Assert.Equal(Enumerable.Range(1, (int)events.LastSequence).Select(i => (long)i), events.Events.Select(e => e.Sequence));
        Assert.Equal(fills, events.Events.Where(e => e.Kind == AccountEventKind.Fill).Select(e => e.Fill));
        Assert.All(orderIds, id => Assert.Contains(fills, f => f.OrderId == id));
        await AssertBooksAsync(account, ("RKS", 5m * orderIds.Count));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A fill applied from its report is not applied again by the back-fill that lists it (by execution id).
    [Fact]
    public async Task AFillAlreadyReported_IsNotBookedAgainByTheBackfill()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-dup");
        await PlaceAndFillAsync(cluster, account, "rk-dup-1");
        _script.ScrambleExecutions = true;
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((0, false), (report.BackfilledFills, report.TrippedBreaker));
        Assert.Single(await account.GetFillsAsync(0, 10));
        await AssertBooksAsync(account, ("RKS", 10m));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // The venue canceled the order (a cancel by hand, an expiry) and the report was lost: the order ends canceled, its
    // reservation freed, nothing tripped.
    [Fact]
    public async Task AnOrderTheVenueCanceledWhileTheReportWasLost_EndsCanceled_AndFreesItsReservation()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-cxl");
        var orderId = await PlaceWorkingAsync(account, "rk-cxl-1", 10m, 49m);

        _script.DropReports = true;
        var brokerOrder = (await venue.GetOrderByClientOrderIdAsync("rk-cxl-1", TestContext.Current.CancellationToken))!;
        await venue.CancelOrderAsync(brokerOrder.OrderId, TestContext.Current.CancellationToken);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((0, 1, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(orderId))!.Status);
        Assert.Contains(await account.GetJournalAsync(0, 100), j => j.OrderId == orderId && j.To == OrderStatus.Canceled && j.Action == "reconciled");
        await AssertBooksAsync(account);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-cxl").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // Filled 4 of 10, then canceled, both reports lost: the order takes its fill first and then ends canceled with it.
    [Fact]
    public async Task AnOrderPartlyFilledThenCanceledWhileReportsWereLost_EndsCanceledWithItsFill()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-pcx");
        var orderId = await PlaceWorkingAsync(account, "rk-pcx-1", 10m, 49m);

        _script.DropReports = true;
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m, size: 4m);
        var partly = await VenueFilledAsync(venue, "rk-pcx-1", 4m);
        await Market.QuoteAsync(cluster, "RKS", 49.9m, 50m);
        await venue.CancelOrderAsync(partly.OrderId, TestContext.Current.CancellationToken);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, 1, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Canceled, 4m), (order.Status, order.FilledQuantity));
        await AssertBooksAsync(account, ("RKS", 4m));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A submit the venue took whose answer was lost (and its acceptance report too): found by client order id, adopted.
    [Fact]
    public async Task ASubmitTheVenueTookWhoseAnswerWasLost_IsAdopted_WithItsBrokerOrderId()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-lost");

        _script.DropReports = true;
        _script.Submit = SubmitFault.AnswerLost;
        var placed = await account.PlaceOrderAsync(Market.Limit("rk-lost-1", "RKS", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Order!.InFlight, placed.Denial?.Message);
        var orderId = placed.Order.OrderId;
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((0, 1, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var brokerOrder = (await venue.GetOrderByClientOrderIdAsync("rk-lost-1", TestContext.Current.CancellationToken))!;
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Accepted, false, brokerOrder.OrderId), (order.Status, order.InFlight, order.BrokerOrderId));
        Assert.Equal(10m * 49m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Contains(await account.GetJournalAsync(0, 100), j => j.OrderId == orderId && j.Action == "reconciled");
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // The venue ended the order itself (expired at the close, rejected after acceptance) and the report was lost: the
    // order takes the venue's end, its reservation freed, nothing tripped.
    [Theory]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.Rejected)]
    public async Task AnOrderTheVenueEndedWhileTheReportWasLost_TakesTheVenuesEnd(OrderStatus end)
    {
        await using var cluster = await StartAsync();
        var accountId = "rk-end-" + end.ToString().ToLowerInvariant();
        var (account, _) = await OpenAsync(cluster, accountId);
        var orderId = await PlaceWorkingAsync(account, accountId + "-1", 10m, 49m);

        _script.DropReports = true;
        _script.EndedClientOrderIds[accountId + "-1"] = end;
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((0, 1, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        Assert.Equal(end, (await account.GetOrderAsync(orderId))!.Status);
        Assert.Contains(await account.GetJournalAsync(0, 100), j => j.OrderId == orderId && j.To == end && j.Action == "reconciled");
        await AssertBooksAsync(account);
        Assert.Equal(TradingState.Active, (await cluster.Breaker(accountId).GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A submit the venue took and filled while its answer and every report were lost: the back-fill books the fill on the
    // in-flight order (known by client order id), which ends filled with the venue's id.
    [Fact]
    public async Task ASubmitWhoseAnswerWasLostAndThatFilled_IsBackfilledOntoTheInFlightOrder()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-lostfill");

        _script.DropReports = true;
        _script.Submit = SubmitFault.AnswerLost;
        var placed = await account.PlaceOrderAsync(Market.Limit("rk-lostfill-1", "RKS", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Order!.InFlight, placed.Denial?.Message);
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m);
        var atVenue = await VenueFilledAsync(venue, "rk-lostfill-1", 10m);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, false), (report.BackfilledFills, report.TrippedBreaker));
        var order = (await account.GetOrderAsync(placed.Order.OrderId))!;
        Assert.Equal((OrderStatus.Filled, 10m, false), (order.Status, order.FilledQuantity, order.InFlight));
        Assert.Equal(placed.Order.OrderId, Assert.Single(await account.GetFillsAsync(0, 10)).OrderId);
        Assert.Equal(atVenue.AverageFillPrice, order.AverageFillPrice);
        await AssertBooksAsync(account, ("RKS", 10m));
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-lostfill").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // The same with 4 of 10 filled: the back-fill books the fill and takes the order out of flight, and the look-up then finds
    // nothing more to change. The order was still adopted by this reconciliation, so it counts as resolved as well.
    [Fact]
    public async Task ASubmitWhoseAnswerWasLostAndThatPartlyFilled_IsBackfilled_AndCountedResolved()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-lostpart");

        _script.DropReports = true;
        _script.Submit = SubmitFault.AnswerLost;
        var placed = await account.PlaceOrderAsync(Market.Limit("rk-lostpart-1", "RKS", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Order!.InFlight, placed.Denial?.Message);
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m, size: 4m);
        var atVenue = await VenueFilledAsync(venue, "rk-lostpart-1", 4m);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, 1, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var order = (await account.GetOrderAsync(placed.Order.OrderId))!;
        Assert.Equal((OrderStatus.PartiallyFilled, 4m, false, atVenue.OrderId), (order.Status, order.FilledQuantity, order.InFlight, order.BrokerOrderId));
        await AssertBooksAsync(account, ("RKS", 4m));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A bracket whose submit answer was lost, and whose entry and then take-profit filled at the venue with every report
    // lost: the exits are adopted from the venue's order before the back-fill, so the take-profit's fill books on its exit.
    // Adopted after it, that fill came for an unknown order and tripped REDUCING.
    [Fact]
    public async Task ABracketWhoseAnswerWasLost_AndWhoseExitFilled_HasItsExitsAdoptedBeforeTheBackfill()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-lostbkt");

        _script.DropReports = true;
        _script.Submit = SubmitFault.AnswerLost;
        var placed = await account.PlaceOrderAsync(Market.AsBracket(Market.MarketOrder("rk-lostbkt-1", "RKS", OrderSide.Buy, 10m), takeProfit: 51m, stopLoss: 48m));
        Assert.True(placed.Order!.InFlight, placed.Denial?.Message);
        await VenueFilledAsync(venue, "rk-lostbkt-1", 10m);
        await Market.QuoteAsync(cluster, "RKS", 51m, 51.02m);
        await Eventually.WaitAsync(() => venue.GetOrderByClientOrderIdAsync("rk-lostbkt-1"),
            o => o!.Legs.Any(l => l.Status == OrderStatus.Filled), "the take-profit's fill at the venue");
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((2, false), (report.BackfilledFills, report.TrippedBreaker));
        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal([OrderSide.Buy, OrderSide.Sell], fills.Select(f => f.Side));
        Assert.Equal(placed.Order.OrderId, fills[0].OrderId);
        var takeProfit = (await account.GetOrderAsync(fills[1].OrderId))!;
        Assert.Equal((placed.Order.OrderId, OrderType.Limit, OrderStatus.Filled), (takeProfit.ParentOrderId, takeProfit.Type, takeProfit.Status));
        await AssertBooksAsync(account);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-lostbkt").GetStateAsync()).State);
    }

    // A submit that never reached the venue: in flight until InFlightGrace is over, then rejected with nothing sent.
    [Fact]
    public async Task ASubmitThatNeverReachedTheVenue_StaysInFlightThroughTheGrace_ThenIsRejectedAndReleased()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-none");

        _script.Submit = SubmitFault.NeverSent;
        var placed = await account.PlaceOrderAsync(Market.Limit("rk-none-1", "RKS", OrderSide.Buy, 10m, 49m));
        var orderId = placed.Order!.OrderId;
        Assert.True(placed.Order.InFlight, placed.Denial?.Message);
        var early = await account.ReconcileAsync();

        Assert.Equal((0, 0), (early.ResolvedOrders, early.Mismatches.Count));
        Assert.Equal((OrderStatus.PendingNew, true), ((await account.GetOrderAsync(orderId))!.Status, (await account.GetOrderAsync(orderId))!.InFlight));
        Assert.Equal(10m * 49m, (await account.GetSnapshotAsync())!.Reserved);

        _time.Advance(new AccountGrainOptions().InFlightGrace);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, false), (report.ResolvedOrders, report.TrippedBreaker));
        Assert.Equal(OrderStatus.Rejected, (await account.GetOrderAsync(orderId))!.Status);
        await AssertBooksAsync(account);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-none").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // The grace is elapsed time. Judged on the wall clock, a clock stepped an hour forward (NTP, a host resumed after a
    // pause) rejected the submit at the next reconciliation, a second after it was sent, while the venue could still take
    // it (its fills would then come for a closed order); one set back an hour held it and its reservation an hour longer.
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ASubmitThatNeverReachedTheVenue_WaitsTheGraceAsElapsedTime_WhenTheWallClockStepsAnHour(int hours)
    {
        var clock = new SkewedTimeProvider(_time);
        await using var cluster = await StartAsync(clock: clock);
        var (account, _) = await OpenAsync(cluster, "rk-step");

        _script.Submit = SubmitFault.NeverSent;
        var placed = await account.PlaceOrderAsync(Market.Limit("rk-step-1", "RKS", OrderSide.Buy, 10m, 49m));
        var orderId = placed.Order!.OrderId;
        Assert.True(placed.Order.InFlight, placed.Denial?.Message);

        clock.Skew = TimeSpan.FromHours(hours);
        _time.Advance(TimeSpan.FromSeconds(1));
        var early = await account.ReconcileAsync();
        Assert.Equal((0, 0), (early.ResolvedOrders, early.Mismatches.Count));
        Assert.Equal((OrderStatus.PendingNew, true), ((await account.GetOrderAsync(orderId))!.Status, (await account.GetOrderAsync(orderId))!.InFlight));

        _time.Advance(new AccountGrainOptions().InFlightGrace);
        var report = await account.ReconcileAsync();
        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, OrderStatus.Rejected), (report.ResolvedOrders, (await account.GetOrderAsync(orderId))!.Status));
        await AssertBooksAsync(account);
    }

    // A replace the venue applied whose answer and reports were all lost: the old order ends replaced by the new one,
    // which works with the venue's id and holds the reservation alone.
    [Fact]
    public async Task AReplaceTheVenueAppliedWhoseAnswerWasLost_EndsTheOldOrderReplaced_AndAdoptsTheReplacement()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-rpl");
        var oldId = await PlaceWorkingAsync(account, "rk-rpl-1", 10m, 49m);

        _script.DropReports = true;
        _script.LoseReplaceAnswer = true;
        var replacing = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = new OrderReplacement { LimitPrice = 48m } });
        Assert.True(replacing.Order!.InFlight, replacing.Denial?.Message);
        var newId = replacing.Order.OrderId;
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((2, false), (report.ResolvedOrders, report.TrippedBreaker));
        var old = (await account.GetOrderAsync(oldId))!;
        Assert.Equal((OrderStatus.Replaced, newId), (old.Status, old.ReplacedByOrderId));
        var replacement = (await account.GetOrderAsync(newId))!;
        var atVenue = (await venue.GetOrderByClientOrderIdAsync(replacement.ClientOrderId, TestContext.Current.CancellationToken))!;
        Assert.Equal((OrderStatus.Accepted, false, atVenue.OrderId, 48m), (replacement.Status, replacement.InFlight, replacement.BrokerOrderId, replacement.LimitPrice));
        Assert.Equal(10m * 48m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-rpl").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A replace that never reached the venue, at the grace's end: the reconciliation that rejects the in-flight replacement
    // also sets the old order working again. Waited for while the replacement is "still within the grace" at that same
    // instant, the old order stayed PendingReplace (neither cancelable nor replaceable) beside a rejected replacement.
    [Fact]
    public async Task AReplaceThatNeverReachedTheVenue_AtTheGracesEnd_IsRejected_AndTheOldOrderWorksAgain_InOneReconciliation()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-rpl-none");
        var oldId = await PlaceWorkingAsync(account, "rk-rpl-none-1", 10m, 49m);

        _script.ReplaceNeverSent = true;
        var replacing = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = new OrderReplacement { LimitPrice = 48m } });
        Assert.True(replacing.Order!.InFlight, replacing.Denial?.Message);
        var newId = replacing.Order.OrderId;
        _time.Advance(new AccountGrainOptions().InFlightGrace);
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((OrderStatus.Accepted, OrderStatus.Rejected), ((await account.GetOrderAsync(oldId))!.Status, (await account.GetOrderAsync(newId))!.Status));
        await AssertBooksAsync(account);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-rpl-none").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A fill the venue makes while reconciliation compares positions: the comparison reads the executions again and books
    // it (inconclusive, no mismatch). The report counted only the first back-fill's fills: it said nothing was back-filled.
    [Fact]
    public async Task AFillBookedWhileComparingPositions_IsCountedInTheReport()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-cmp");
        var orderId = await PlaceWorkingAsync(account, "rk-cmp-1", 10m, 49m);

        _script.DropReports = true;
        _script.BeforePositions = async () =>
        {
            await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m);
            await VenueFilledAsync(venue, "rk-cmp-1", 10m);
        };
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, false), (report.BackfilledFills, report.TrippedBreaker));
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderAsync(orderId))!.Status);
        Assert.Single(await account.GetFillsAsync(0, 10));
        await AssertBooksAsync(account, ("RKS", 10m));
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A fill whose report was lost, then a later fill reported live more than the back-fill's overlap (5 min) after it (no
    // reconciliation went through meanwhile; after a restart, the stream's replay books such a fill before the first one):
    // the back-fill started 5 minutes before the newest fill booked, so the lost one was never booked, its order stayed
    // working and the position differed. It is back-filled once, at the venue's price, fee and time, with the next sequence.
    [Fact]
    public async Task AFillLostBeforeALaterLiveFill_IsBackfilled_WhenTheLiveFillIsMoreThanTheOverlapLater()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-gap", NoStaleDataTrip);
        await PlaceAndFillAsync(cluster, account, "rk-gap-1");
        Assert.Empty((await account.ReconcileAsync()).Mismatches);

        await Market.QuoteAsync(cluster, "RKS", 50m, 50.02m);
        var lostId = await PlaceWorkingAsync(account, "rk-gap-2", 10m, 48m);
        var liveId = await PlaceWorkingAsync(account, "rk-gap-3", 10m, 47m);
        _script.DroppedReportsOf["rk-gap-2"] = true;
        await Market.QuoteAsync(cluster, "RKS", 47.9m, 48m);
        var lostAtVenue = await VenueFilledAsync(venue, "rk-gap-2", 10m);
        _time.Advance(TimeSpan.FromMinutes(10));
        await Market.QuoteAsync(cluster, "RKS", 46.9m, 47m);
        await Eventually.WaitAsync(() => account.GetOrderAsync(liveId), o => o!.Status == OrderStatus.Filled, "the live fill");
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal((1, 0, false), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var order = (await account.GetOrderAsync(lostId))!;
        Assert.Equal((OrderStatus.Filled, 10m, lostAtVenue.AverageFillPrice), (order.Status, order.FilledQuantity, order.AverageFillPrice));
        var execution = Assert.Single(await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, TestContext.Current.CancellationToken), e => e.ClientOrderId == "rk-gap-2");
        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal(new[] { (1L, "rk-gap-1"), (2L, "rk-gap-3"), (3L, "rk-gap-2") }, fills.Select(f => (f.Sequence, f.ClientOrderId)));
        var backfilled = fills[2];
        Assert.Equal((lostId, execution.ExecutionId, 10m, execution.Price, execution.Fee, execution.Timestamp),
            (backfilled.OrderId, backfilled.ExecutionId, backfilled.Quantity, backfilled.Price, backfilled.Fee, backfilled.Timestamp));
        await AssertBooksAsync(account, ("RKS", 30m));
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-gap").GetStateAsync()).State);
        await AssertSecondReconciliationChangesNothingAsync(account);
    }

    // A position at the venue that no fill explains (a corporate action, a trade by hand): a mismatch that trips REDUCING,
    // with the books left as the fills say. A second reconciliation reports it again and trips nothing more.
    [Fact]
    public async Task APositionNoFillExplains_IsAMismatch_ThatTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-pos");
        await PlaceAndFillAsync(cluster, account, "rk-pos-1");

        _script.PositionOffsets["RKS"] = 10m;
        var report = await account.ReconcileAsync();

        Assert.Equal(new[] { "Position in RKS is 10 here and 20 at the broker." }, report.Mismatches);
        Assert.Equal((0, 0, true), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var breaker = await cluster.Breaker("rk-pos").GetStateAsync();
        Assert.Equal(TradingState.Reducing, breaker.State);
        await AssertBooksAsync(account, ("RKS", 10m));

        var again = await account.ReconcileAsync();
        Assert.Equal(report.Mismatches, again.Mismatches);
        Assert.False(again.TrippedBreaker);
        Assert.Equal(breaker.Version, (await cluster.Breaker("rk-pos").GetStateAsync()).Version);
    }

    // A fill the venue corrects after it was booked (the same execution listed at another price): the back-fill skipped it
    // as applied, and the cash and P&L stayed off by the difference with nothing said. A mismatch naming both prices trips
    // REDUCING; the books keep what was booked. Said once: the account cannot book the correction, so after a reset it would
    // trip again at every reconciliation.
    [Fact]
    public async Task AFillTheVenueCorrectsAfterItWasBooked_IsAMismatchNamingBothPrices_ThatTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-fix");
        var orderId = await PlaceAndFillAsync(cluster, account, "rk-fix-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        var corrected = booked.Price + 0.5m;

        _script.CorrectedPrices["rk-fix-1"] = corrected;
        var report = await account.ReconcileAsync();

        Assert.Equal(
            new[] { FormattableString.Invariant($"Execution {booked.ExecutionId} of order {orderId} (rk-fix-1) was booked as 10 RKS @ {booked.Price}; the broker now shows 10 @ {corrected}.") },
            report.Mismatches);
        Assert.Equal((0, 0, true), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        var breaker = await cluster.Breaker("rk-fix").GetStateAsync();
        Assert.Equal(TradingState.Reducing, breaker.State);
        Assert.Equal(booked, Assert.Single(await account.GetFillsAsync(0, 10)));
        await AssertBooksAsync(account, ("RKS", 10m));

        await ResetBreakerAsync(cluster, "rk-fix");
        var again = await account.ReconcileAsync();
        Assert.Equal((0, false), (again.Mismatches.Count, again.TrippedBreaker));
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-fix").GetStateAsync()).State);
    }

    // The same correction after the account was collected as idle and activated again (as after a restart or a deploy): it
    // was said and tripped REDUCING again by every activation, after the risk desk had read it and reset the breaker, for
    // as long as the fill stayed in the back-fill window (which an account that stops trading keeps it in).
    [Fact]
    public async Task AFillCorrectionReportedAndReset_IsNotReportedAgain_ByTheNextActivation()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-fix-idle", NoStaleDataTrip);
        await PlaceAndFillAsync(cluster, account, "rk-fix-idle-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        _script.CorrectedPrices["rk-fix-idle-1"] = booked.Price + 0.5m;
        Assert.True((await account.ReconcileAsync()).TrippedBreaker);
        await ResetBreakerAsync(cluster, "rk-fix-idle");

        // IdleAsync steps whole minutes from the silo's start (a whole minute of this clock): OpenAsync moved it a second.
        _time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMinute - (_time.GetUtcNow().Ticks % TimeSpan.TicksPerMinute)));
        await IdleAsync(_time, TimeSpan.FromMinutes(17));
        Assert.DoesNotContain(account.GetGrainId(), cluster.Cluster.ActiveGrains());
        var again = await account.ReconcileAsync();

        Assert.True(again.Mismatches.Count == 0, string.Join(" | ", again.Mismatches));
        Assert.False(again.TrippedBreaker);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-fix-idle").GetStateAsync()).State);
    }

    // The venue corrects the same execution again, to another price: a new correction, said and tripped on like the first
    // (the account remembered the execution's id only, so the second one went unsaid for the rest of the activation).
    [Fact]
    public async Task AFillTheVenueCorrectsAgain_ToAnotherPrice_IsReportedAgain_AndTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-fix-twice");
        var orderId = await PlaceAndFillAsync(cluster, account, "rk-fix-twice-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        _script.CorrectedPrices["rk-fix-twice-1"] = booked.Price + 0.5m;
        Assert.True((await account.ReconcileAsync()).TrippedBreaker);
        await ResetBreakerAsync(cluster, "rk-fix-twice");

        var corrected = booked.Price + 0.75m;
        _script.CorrectedPrices["rk-fix-twice-1"] = corrected;
        var report = await account.ReconcileAsync();

        Assert.Equal(
            new[] { FormattableString.Invariant($"Execution {booked.ExecutionId} of order {orderId} (rk-fix-twice-1) was booked as 10 RKS @ {booked.Price}; the broker now shows 10 @ {corrected}.") },
            report.Mismatches);
        Assert.True(report.TrippedBreaker);
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker("rk-fix-twice").GetStateAsync()).State);
        Assert.Equal(booked, Assert.Single(await account.GetFillsAsync(0, 10)));
    }

    // A silo restart on SQLite: the correction the account reported before it is not reported, nor tripped on, after it.
    [Fact]
    public async Task AFillCorrectionReportedAndReset_IsNotReportedAgain_AfterASiloRestartOnSqlite()
    {
        using var dir = new TempDirectory();
        await using var cluster = await StartAsync(sqlitePath: dir.File("corrections.db"));
        var (account, _) = await OpenAsync(cluster, "rk-fix-restart", NoStaleDataTrip);
        await PlaceAndFillAsync(cluster, account, "rk-fix-restart-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        _script.CorrectedPrices["rk-fix-restart-1"] = booked.Price + 0.5m;
        Assert.True((await account.ReconcileAsync()).TrippedBreaker);
        await ResetBreakerAsync(cluster, "rk-fix-restart");

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var again = await account.ReconcileAsync();

        Assert.True(again.Mismatches.Count == 0, string.Join(" | ", again.Mismatches));
        Assert.False(again.TrippedBreaker);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-fix-restart").GetStateAsync()).State);
        Assert.Equal(booked, Assert.Single(await account.GetFillsAsync(0, 10)));
    }

    // The trip that carried a correction failed (the breaker's write): the correction is not kept as reported, so the next
    // reconciliation reports it and trips. Kept, it would never have tripped.
    [Fact]
    public async Task ACorrectionWhoseTripFailed_IsReportedAndTrippedOnByTheNextReconciliation()
    {
        var storage = new WriteFailingStorage("breaker");
        await using var cluster = await StartAsync(storage: storage);
        var (account, _) = await OpenAsync(cluster, "rk-fix-trip");
        await PlaceAndFillAsync(cluster, account, "rk-fix-trip-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        _script.CorrectedPrices["rk-fix-trip-1"] = booked.Price + 0.5m;

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReconcileAsync());
        Assert.Equal(TradingState.Active, (await cluster.Breaker("rk-fix-trip").GetStateAsync()).State);
        var again = await account.ReconcileAsync();

        Assert.Single(again.Mismatches);
        Assert.True(again.TrippedBreaker);
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker("rk-fix-trip").GetStateAsync()).State);
    }

    // The reported corrections travel in the core record, written on every order: one is kept while its fill is in the
    // back-fill's window (where it could be listed again), and dropped once a newer fill moves the window past it.
    [Fact]
    public async Task AReportedCorrection_IsKeptWhileItsFillIsInTheBackfillWindow_AndDroppedAfter()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-fix-window", NoStaleDataTrip);
        await PlaceAndFillAsync(cluster, account, "rk-fix-window-1");
        var booked = Assert.Single(await account.GetFillsAsync(0, 10));
        var corrected = booked.Price + 0.5m;
        _script.CorrectedPrices["rk-fix-window-1"] = corrected;
        Assert.True((await account.ReconcileAsync()).TrippedBreaker);
        var kept = Assert.Single((await StoredCoreAsync(cluster, "rk-fix-window")).ReportedCorrections ?? []);
        Assert.Equal((booked.ExecutionId, 10m, corrected), (kept.ExecutionId, kept.Quantity, kept.Price));
        await ResetBreakerAsync(cluster, "rk-fix-window");

        _time.Advance(TimeSpan.FromMinutes(6));
        await Market.QuoteAsync(cluster, "RKS", 50m, 50.02m);
        await PlaceAndFillAsync(cluster, account, "rk-fix-window-2");
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Null((await StoredCoreAsync(cluster, "rk-fix-window")).ReportedCorrections);
    }

    // A broker correcting fills wholesale: every correction is reported, and the core record keeps the last 32 reported.
    [Fact]
    public async Task ManyCorrectionsReported_TheCoreRecordKeepsTheLast32()
    {
        const int fills = 33;

        // One history page holds them all: only the fills in memory are compared with the broker's.
        await using var cluster = await StartAsync(historyPageSize: 512);
        var (account, _) = await OpenAsync(cluster, "rk-fix-many");
        for (var i = 0; i < fills; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.MarketOrder($"rk-fix-many-{i}", "RKS", OrderSide.Buy, 1m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
            _script.CorrectedPrices[$"rk-fix-many-{i}"] = 51m;
        }

        var booked = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == fills, $"{fills} fills");
        var report = await account.ReconcileAsync();

        Assert.Equal(fills, report.Mismatches.Count);
        Assert.True(report.TrippedBreaker);
        var kept = (await StoredCoreAsync(cluster, "rk-fix-many")).ReportedCorrections ?? [];
        Assert.Equal(32, kept.Count);
        Assert.Equal(32, kept.Select(c => c.ExecutionId).Intersect(booked!.Select(f => f.ExecutionId)).Count());
    }

    // A working order the venue no longer knows (its record lost): a mismatch, REDUCING.
    [Fact]
    public async Task AWorkingOrderTheVenueDoesNotKnow_IsAMismatch_ThatTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, _) = await OpenAsync(cluster, "rk-gone");
        var orderId = await PlaceWorkingAsync(account, "rk-gone-1", 10m, 49m);

        _script.HiddenClientOrderIds["rk-gone-1"] = true;
        var report = await account.ReconcileAsync();

        Assert.Equal(new[] { $"Working order {orderId} (rk-gone-1) is unknown at the broker." }, report.Mismatches);
        Assert.True(report.TrippedBreaker);
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker("rk-gone").GetStateAsync()).State);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(orderId))!.Status);
    }

    // A replace made at the venue by hand (not by this account): the account's order is no longer working there. Left
    // as it was, it stayed Accepted with its reservation for good, and nothing said so.
    [Fact]
    public async Task AnOrderReplacedAtTheVenueByHand_IsAMismatch_ThatTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-hand");
        var orderId = await PlaceWorkingAsync(account, "rk-hand-1", 10m, 49m);

        _script.DropReports = true;
        var brokerOrder = (await venue.GetOrderByClientOrderIdAsync("rk-hand-1", TestContext.Current.CancellationToken))!;
        var replacement = await venue.ReplaceOrderAsync(
            brokerOrder.OrderId, new OrderReplacement { LimitPrice = 48m, ClientOrderId = "dashboard-1" }, TestContext.Current.CancellationToken);
        var report = await account.ReconcileAsync();

        Assert.Contains(
            $"Order {orderId} (rk-hand-1) was replaced at the broker by {replacement.OrderId} that this account did not send.",
            report.Mismatches);
        Assert.True(report.TrippedBreaker);
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker("rk-hand").GetStateAsync()).State);
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal(OrderStatus.Replaced, order.Status);
        Assert.Contains(await account.GetJournalAsync(0, 100), j => j.OrderId == orderId && j.To == OrderStatus.Replaced && j.Action == "reconciled");
        await AssertBooksAsync(account);

        // Its replacement works at the venue, unknown here: said again by each reconciliation, which trips nothing more.
        var again = await account.ReconcileAsync();
        Assert.Equal(new[] { $"Order {replacement.OrderId} (dashboard-1, Buy 10 RKS) works at the broker and is unknown here." }, again.Mismatches);
        Assert.Equal((0, 0, false), (again.BackfilledFills, again.ResolvedOrders, again.TrippedBreaker));
    }

    // An order placed at the venue by hand, unknown to the account: reported as a mismatch before it can fill (once it
    // filled, its execution for an unknown order tripped REDUCING; until then nothing said the account was not alone).
    [Fact]
    public async Task AWorkingOrderPlacedAtTheVenueByHand_IsAMismatch_ThatTripsReducing()
    {
        await using var cluster = await StartAsync();
        var (account, venue) = await OpenAsync(cluster, "rk-foreign");
        var foreign = await venue.SubmitOrderAsync(
            new OrderRequest { ClientOrderId = "dashboard-2", Symbol = "RKS", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 5m, LimitPrice = 40m },
            TestContext.Current.CancellationToken);
        var report = await account.ReconcileAsync();

        Assert.Equal(new[] { $"Order {foreign.OrderId} (dashboard-2, Buy 5 RKS) works at the broker and is unknown here." }, report.Mismatches);
        Assert.Equal((0, 0, true), (report.BackfilledFills, report.ResolvedOrders, report.TrippedBreaker));
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker("rk-foreign").GetStateAsync()).State);
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.All, 100, null));
        await AssertBooksAsync(account);
    }

    private async Task<TradingCluster> StartAsync(int historyPageSize = 8, TimeProvider? clock = null, string? sqlitePath = null,
        WriteFailingStorage? storage = null) => await TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = clock ?? _time,
        SqlitePath = sqlitePath,
        ConfigureSilo = silo =>
        {
            if (storage is not null)
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
            }

            // Only the activation's reconciliation and the tests' own run: a timed one could take a test's answer first.
            silo.Services.Configure<AccountGrainOptions>(o => (o.ReconcileInterval, o.HistoryPageSize) = (TimeSpan.FromDays(1), historyPageSize));
            silo.Services.AddSingleton<IBrokerClientFactory>(sp => _brokers = new DiscrepantBrokers(
                ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), sp.GetRequiredService<ExecutionReportPump>(), _script));
        },
    });

    private async Task<(IAccountGrain Account, IBrokerClient Venue)> OpenAsync(TradingCluster cluster, string accountId, BreakerPolicy? policy = null)
    {
        await Market.QuoteAsync(cluster, "RKS", 50m, 50.02m);
        var account = await TestAccounts.OpenAsync(cluster, accountId, InitialCash, policy: policy ?? NoErrorRateTrip);

        // The activation's reconciliation is a timer due at once, which runs when the fake clock first moves: run here, it
        // cannot take (and count) a discrepancy a test sets up for its own reconciliation.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        return (account, _brokers!.Venue(accountId));
    }

    private static async Task<AccountState> StoredCoreAsync(TradingCluster cluster, string accountId)
    {
        var record = new GrainState<AccountState>(new AccountState());
        await cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default)
            .ReadStateAsync("account", GrainId.Create(typeof(AccountGrain).FullName!, accountId), record, TestContext.Current.CancellationToken);
        return record.State;
    }

    private static async Task ResetBreakerAsync(TradingCluster cluster, string accountId)
    {
        var reset = await cluster.Breaker(accountId).ResetAsync(TradingState.Active, new BreakerActor("risk-desk", HasRiskRole: true), "correction reviewed", force: false);
        Assert.True(reset.Succeeded, reset.Message);
    }

    /// <summary>Places a limit buy that rests at the venue, answered and accepted before any discrepancy is set up.</summary>
    /// <summary>Buys 10 RKS at 49 and crosses it with the market; answers once the account has booked the reported fill.</summary>
    private static async Task<string> PlaceAndFillAsync(TradingCluster cluster, IAccountGrain account, string clientOrderId)
    {
        var orderId = await PlaceWorkingAsync(account, clientOrderId, 10m, 49m);
        await Market.QuoteAsync(cluster, "RKS", 48.9m, 49m);
        await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o!.Status == OrderStatus.Filled, "the reported fill");
        return orderId;
    }

    private static async Task<string> PlaceWorkingAsync(IAccountGrain account, string clientOrderId, decimal quantity, decimal price)
    {
        var placed = await account.PlaceOrderAsync(Market.Limit(clientOrderId, "RKS", OrderSide.Buy, quantity, price));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var order = await Eventually.WaitAsync(
            () => account.GetOrderAsync(placed.Order!.OrderId), o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the order accepted");
        return order!.OrderId;
    }

    private static async Task<BrokerOrder> VenueFilledAsync(IBrokerClient venue, string clientOrderId, decimal filled) =>
        (await Eventually.WaitAsync(() => venue.GetOrderByClientOrderIdAsync(clientOrderId), o => o?.FilledQuantity == filled, $"the venue's fill of {filled}"))!;

    /// <summary>
    /// The books agree with the account's own fills (computed here, not by the account): positions, cash net of what the
    /// fills cost, and a reservation only for what works.
    /// </summary>
    private static async Task AssertBooksAsync(IAccountGrain account, params (string Symbol, decimal Quantity)[] positions)
    {
        var fills = await account.GetFillsAsync(0, 100);
        var snapshot = (await account.GetSnapshotAsync())!;
        var expectedCash = InitialCash - fills.Sum(f => (f.Side == OrderSide.Buy ? 1 : -1) * f.Quantity * f.Price) - fills.Sum(f => f.Fee);
        Assert.Equal(expectedCash, snapshot.Cash);
        Assert.Equal(positions, (await account.GetPositionsAsync()).Where(p => p.Quantity != 0m).Select(p => (p.Symbol, p.Quantity)).ToArray());
        var working = await account.GetOrdersAsync(OrderStatusFilter.Open, 100, null);
        Assert.Equal(working.Sum(o => o.LeavesQuantity * (o.LimitPrice ?? 0m)), snapshot.Reserved);
    }

    private static async Task AssertSecondReconciliationChangesNothingAsync(IAccountGrain account)
    {
        var before = await FingerprintAsync(account);
        var again = await account.ReconcileAsync();
        Assert.True(again.Mismatches.Count == 0, string.Join(" | ", again.Mismatches));
        Assert.Equal((0, 0, false), (again.BackfilledFills, again.ResolvedOrders, again.TrippedBreaker));
        Assert.Equal(before, await FingerprintAsync(account));
    }

    private static async Task<string> FingerprintAsync(IAccountGrain account)
    {
        var orders = await account.GetOrdersAsync(OrderStatusFilter.All, 100, null);
        var positions = await account.GetPositionsAsync();
        var snapshot = (await account.GetSnapshotAsync())!;
        var fills = await account.GetFillsAsync(0, 100);
        var journal = await account.GetJournalAsync(0, 1000);
        var events = (await account.GetEventsAsync(0, 1000)).Events;
        return string.Join(
            "; ",
            orders.Select(o => $"{o.OrderId}:{o.Status}:{o.Quantity}:{o.FilledQuantity}:{o.InFlight}:{o.BrokerOrderId}")
                .Concat(positions.Select(p => $"{p.Symbol}:{p.Quantity}:{p.AverageEntryPrice}"))
                .Append($"cash {snapshot.Cash} reserved {snapshot.Reserved} state {snapshot.AccountBreakerState}")
                .Append($"fills {fills.Count} journal {journal.Count} events {events.Count}"));
    }

    /// <summary>What the venue's side of the connection loses or shows differently; set by each test.</summary>
    private sealed class BrokerScript
    {
        public volatile bool DropReports;

        /// <summary>Orders whose reports are lost (by client order id), while the others' come through.</summary>
        public ConcurrentDictionary<string, bool> DroppedReportsOf { get; } = new(StringComparer.Ordinal);

        public volatile bool LoseReplaceAnswer;

        /// <summary>Replace requests are lost before the venue sees them.</summary>
        public volatile bool ReplaceNeverSent;

        public volatile bool ScrambleExecutions;

        public volatile SubmitFault Submit;

        /// <summary>Runs once, when the account next reads the venue's positions (something happening at the venue meanwhile).</summary>
        public Func<Task>? BeforePositions;

        public ConcurrentDictionary<string, decimal> PositionOffsets { get; } = new(StringComparer.Ordinal);

        /// <summary>Orders the venue shows ended (by client order id): read with that status, not listed as open.</summary>
        public ConcurrentDictionary<string, OrderStatus> EndedClientOrderIds { get; } = new(StringComparer.Ordinal);

        /// <summary>Executions the venue corrected after reporting them (by client order id): listed at this price.</summary>
        public ConcurrentDictionary<string, decimal> CorrectedPrices { get; } = new(StringComparer.Ordinal);

        /// <summary>Orders the venue has lost (by client order id): not found, not listed.</summary>
        public ConcurrentDictionary<string, bool> HiddenClientOrderIds { get; } = new(StringComparer.Ordinal);
    }

    private enum SubmitFault
    {
        None,

        /// <summary>The venue takes the order; its answer is lost.</summary>
        AnswerLost,

        /// <summary>The request is lost before the venue sees it.</summary>
        NeverSent,
    }

    /// <summary>The silo's paper venue behind a connection that loses what <see cref="BrokerScript"/> says.</summary>
    private sealed class DiscrepantBrokers(IBrokerClientFactory inner, ExecutionReportPump pump, BrokerScript script) : IBrokerClientFactory
    {
        /// <summary>The venue itself, for what happens there without the account (a cancel or replace by hand).</summary>
        public IBrokerClient Venue(string accountId) => inner.GetClient(accountId, BrokerNames.Paper);

        public IBrokerClient GetClient(string accountId, string broker) => new Client(inner.GetClient(accountId, broker), script);

        public bool IsAvailable(string broker) => inner.IsAvailable(broker);

        public string? Refusal(string accountId, string broker) => inner.Refusal(accountId, broker);

        public Task ConnectAsync(string accountId, string broker, BrokerAccountSettings settings, CancellationToken cancellationToken)
        {
            // The report pump reads through this connection too, so a lost report is lost to the account (the factory
            // starts one pump an account: the inner one finds this one running).
            pump.EnsureStarted(accountId, GetClient(accountId, broker));
            return inner.ConnectAsync(accountId, broker, settings, cancellationToken);
        }

        private sealed class Client(IBrokerClient inner, BrokerScript script) : IBrokerClient
        {
            public string Name => inner.Name;

            public async Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default)
            {
                switch (script.Submit)
                {
                    case SubmitFault.NeverSent:
                        throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The submit was lost on its way.");
                    case SubmitFault.AnswerLost:
                        await inner.SubmitOrderAsync(request, cancellationToken);
                        throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The submit's answer was lost.");
                    default:
                        return await inner.SubmitOrderAsync(request, cancellationToken);
                }
            }

            public async Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default)
            {
                if (script.ReplaceNeverSent)
                {
                    throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The replace was lost on its way.");
                }

                var replaced = await inner.ReplaceOrderAsync(orderId, replacement, cancellationToken);
                return script.LoseReplaceAnswer ? throw new BrokerException(BrokerErrorKind.OutcomeUnknown, "The replace's answer was lost.") : replaced;
            }

            public Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
                inner.CancelOrderAsync(orderId, cancellationToken);

            public async Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
                Visible(await inner.GetOrderAsync(orderId, cancellationToken));

            public async Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
                Visible(await inner.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken));

            public async Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default) =>
                [.. (await inner.ListOpenOrdersAsync(cancellationToken)).Where(o => Visible(o) is { } shown && !shown.Status.IsFinal())];

            public async Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
            {
                if (Interlocked.Exchange(ref script.BeforePositions, null) is { } meanwhile)
                {
                    await meanwhile();
                }

                var positions = (await inner.GetPositionsAsync(cancellationToken)).ToDictionary(p => p.Symbol, StringComparer.Ordinal);
                foreach (var (symbol, offset) in script.PositionOffsets)
                {
                    positions[symbol] = positions.TryGetValue(symbol, out var held)
                        ? held with { Quantity = held.Quantity + offset }
                        : new BrokerPosition(symbol, offset, 0m);
                }

                return [.. positions.Values];
            }

            public async Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
            {
                IReadOnlyList<Execution> executions = [.. (await inner.GetExecutionsSinceAsync(since, cancellationToken))
                    .Select(e => script.CorrectedPrices.TryGetValue(e.ClientOrderId, out var price) ? e with { Price = price } : e)];
                return script.ScrambleExecutions ? [.. executions.Reverse(), .. executions] : executions;
            }

            public async IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await foreach (var report in inner.StreamExecutionReportsAsync(cancellationToken))
                {
                    if (!script.DropReports && !script.DroppedReportsOf.ContainsKey(report.Order.ClientOrderId))
                    {
                        yield return report;
                    }
                }
            }

            private BrokerOrder? Visible(BrokerOrder? order) =>
                order is null || script.HiddenClientOrderIds.ContainsKey(order.ClientOrderId) ? null
                : script.EndedClientOrderIds.TryGetValue(order.ClientOrderId, out var end) ? order with { Status = end }
                : order;
        }
    }
}
