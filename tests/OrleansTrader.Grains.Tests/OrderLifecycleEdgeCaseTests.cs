using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>Order life cycle edge cases: replaces and cancels with unknown outcomes resolved by reconciliation, a fill of the old order after its replace, closing a position working orders already cover.</summary>
public sealed class OrderLifecycleEdgeCaseTests
{
    // How long the paper venue holds a fill's report: the race tests send their replace or cancel inside it. The venue
    // runs on a fake clock that only the test moves, after the replace or cancel was answered: on the real clock a loaded
    // machine (CI beside other work) let the report arrive first even at 3 s, and there was no race to test.
    private static readonly TimeSpan RaceWindow = TimeSpan.FromSeconds(3);

    /// <summary>A cluster whose paper venue holds every fill's report <see cref="RaceWindow"/> on <paramref name="time"/>.</summary>
    private static Task<TradingCluster> StartRaceClusterAsync(FakeTimeProvider time) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        ConfigureSilo = silo => silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = RaceWindow),
    });

    private static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));

    // A replace whose request is cut off before Alpaca processed it: the old order is still "new" at Alpaca and the
    // replacement does not exist. Reconciliation rejects the in-flight replacement but must also put the old order back
    // to working; otherwise it stays PendingReplace forever and can be neither canceled nor replaced.
    [Fact]
    public async Task AReplaceThatNeverReachedAlpaca_LeavesTheOldOrderWorkingAndCancelable_AfterReconciliation()
    {
        await using var silo = await AlpacaSilo.StartAsync(
            "aud-rpl", configureSilo: builder => builder.Services.Configure<AccountGrainOptions>(o => o.InFlightGrace = TimeSpan.Zero));
        await Market.QuoteAsync(silo.Cluster, "AUDR", 30m, 30m);
        var account = await silo.OpenAsync("aud-rpl", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, _) = await PlaceAtBrokerAsync(account, Market.Limit("aud-rpl-1", "AUDR", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;

        silo.Venue.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.Drop));
        await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = new OrderReplacement { LimitPrice = 28.5m } });
        await account.ReconcileAsync();

        var old = await account.GetOrderAsync(orderId);
        Assert.Equal(OrderStatus.Accepted, old!.Status);
        var cancel = await account.CancelOrderAsync(orderId);
        Assert.True(cancel.Succeeded, cancel.Denial?.Message);
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(orderId))!.Status);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // A submit that times out before Alpaca takes it, which Alpaca then takes moments later: a reconciliation in between
    // rejected the in-flight order at once (released its reservation), and the order's fill at the venue then came for a
    // closed order and tripped REDUCING. Within the grace the order stays in flight until it appears.
    [Fact]
    public async Task ASubmitAlpacaTakesAfterItTimedOut_StaysInFlightThroughAReconciliation_AndIsAdoptedWhenItAppears()
    {
        await using var silo = await AlpacaSilo.StartAsync("aud-late", new Dictionary<string, string?> { ["Alpaca:RequestTimeout"] = "00:00:00.500" });
        await Market.QuoteAsync(silo.Cluster, "AUDL", 30m, 30m);
        var account = await silo.OpenAsync("aud-late", 50_000m);
        await silo.WaitForStreamHealthyAsync();

        var release = new TaskCompletionSource();
        silo.Venue.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.DelayBeforeProcessing) { Gate = release.Task });
        var placed = await account.PlaceOrderAsync(Market.Limit("aud-late-1", "AUDL", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;
        Assert.True(placed.Order.InFlight);
        await account.ReconcileAsync();

        var waiting = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.PendingNew, true), (waiting.Status, waiting.InFlight));
        release.SetResult();
        await Eventually.WaitAsync(() => Task.FromResult(silo.Venue.CountOrders("aud-late-1")), n => n == 1, "the late order at Alpaca");
        await silo.Venue.FillAsync(silo.Venue.FindOrder("aud-late-1").OrderId, 10m, 29m);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the fill");
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Filled, 10m), (order.Status, order.FilledQuantity));
        Assert.Equal(10m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("aud-late").GetStateAsync()).State);
    }

    // A replace that times out before Alpaca takes it, which Alpaca then takes moments later. Within the grace the
    // replacement stays in flight, and so must the old order's replace: set back to working at the reconciliation in
    // between, the old order ignored the venue's later "replaced" and worked on here (reserved) beside its replacement.
    [Fact]
    public async Task AReplaceAlpacaTakesAfterItTimedOut_EndsTheOldOrderReplaced_AfterAReconciliationInBetween()
    {
        await using var silo = await AlpacaSilo.StartAsync("aud-lrp", new Dictionary<string, string?> { ["Alpaca:RequestTimeout"] = "00:00:00.500" });
        await Market.QuoteAsync(silo.Cluster, "AUDR", 30m, 30m);
        var account = await silo.OpenAsync("aud-lrp", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, _) = await PlaceAtBrokerAsync(account, Market.Limit("aud-lrp-1", "AUDR", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;

        var release = new TaskCompletionSource();
        silo.Venue.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.DelayBeforeProcessing) { Gate = release.Task });
        var replacing = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = new OrderReplacement { LimitPrice = 28.5m } });
        var newId = replacing.Order!.OrderId;
        await account.ReconcileAsync();
        release.SetResult();
        await Eventually.WaitAsync(() => account.GetOrderAsync(newId), o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the late replacement adopted");
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal(OrderStatus.Replaced, (await account.GetOrderAsync(orderId))!.Status);
        Assert.Equal([newId], (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Select(o => o.OrderId));
    }

    // A cancel whose DELETE fails (5xx through every retry) leaves the order PendingCancel while Alpaca still shows it
    // "new". Reconciliation must see that the cancel did not take; otherwise the order is stuck PendingCancel forever
    // and a second cancel is refused.
    [Fact]
    public async Task ACancelThatFailedAtAlpaca_LeavesTheOrderCancelableAgain_AfterReconciliation()
    {
        await using var silo = await AlpacaSilo.StartAsync("aud-cxl", new Dictionary<string, string?> { ["Alpaca:CircuitMinimumThroughput"] = "1000" });
        await Market.QuoteAsync(silo.Cluster, "AUDC", 30m, 30m);
        var account = await silo.OpenAsync("aud-cxl", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, _) = await PlaceAtBrokerAsync(account, Market.Limit("aud-cxl-1", "AUDC", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;

        silo.Venue.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 503, Times = 4 });
        await account.CancelOrderAsync(orderId);
        await account.ReconcileAsync();

        Assert.NotEqual(OrderStatus.PendingCancel, (await account.GetOrderAsync(orderId))!.Status);
        var again = await account.CancelOrderAsync(orderId);
        Assert.True(again.Succeeded, again.Denial?.Message);
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(orderId))!.Status);
    }

    // While the stream is down the venue fills 4 of 10 and then cancels the rest. Reconciliation finds the order canceled
    // and the fill in the activities: the order ends canceled with its 4 filled, and a missed fill of an order the venue
    // canceled afterwards is explained, not a fill "for a closed order" that trips REDUCING.
    [Fact]
    public async Task AnOrderPartlyFilledThenCanceledWhileTheStreamWasDown_EndsCanceledWithItsFill_AfterReconciliation()
    {
        await using var silo = await AlpacaSilo.StartAsync("aud-pfc", new Dictionary<string, string?> { ["Alpaca:StreamUnhealthyTripAfter"] = "01:00:00" });
        await Market.QuoteAsync(silo.Cluster, "AUDP", 30m, 30m);
        var account = await silo.OpenAsync("aud-pfc", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("aud-pfc-1", "AUDP", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;

        silo.Venue.RejectStreamConnections = true;
        silo.Venue.DropStreamConnections();
        await silo.Venue.FillAsync(brokerOrderId, 4m, 29m);
        await silo.Venue.CancelAtVenueAsync(brokerOrderId);
        var report = await account.ReconcileAsync();

        Assert.Empty(report.Mismatches);
        var order = await account.GetOrderAsync(orderId);
        Assert.Equal((OrderStatus.Canceled, 4m), (order!.Status, order.FilledQuantity));
        Assert.Equal(4m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("aud-pfc").GetStateAsync()).State);
    }

    // Cancel-replace race: the venue partially fills the old order (4 of 10) just before the replace, and the fill's
    // report reaches the account after the replace was accepted. The venue's replacement is for the 6 left; the account's
    // must not stay at 10 (stuck PartiallyFilled with 4 reserved forever), and the late fill of the replaced order is a
    // normal race, not a reason to trip REDUCING.
    [Fact]
    public async Task AFillOfTheOldOrderReportedAfterTheReplace_LeavesTheReplacementMatchingTheVenue()
    {
        var time = NewClock();
        await using var cluster = await StartRaceClusterAsync(time);
        await Market.QuoteAsync(cluster, "AUDX", 50m, 50.02m);
        var account = await TestAccounts.OpenAsync(cluster, "aud-race", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("aud-race-1", "AUDX", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var oldId = placed.Order!.OrderId;

        // 4 shares offered at 49: the venue fills 4 of the old order; its report waits until the clock moves.
        await Market.QuoteAsync(cluster, "AUDX", 48.9m, 49m, size: 4m);
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = new OrderReplacement { LimitPrice = 48.5m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        var newId = replaced.Order!.OrderId;
        Assert.Empty(await account.GetFillsAsync(0, 10));
        time.Advance(RaceWindow);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the old order's late fill");

        // The replacement's fill is reported RaceWindow later too; 10 shares in all is the last report the venue sends.
        await Market.QuoteAsync(cluster, "AUDX", 48.4m, 48.5m);
        time.Advance(RaceWindow);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Sum(q => q.Quantity) == 10m, "10 shares in all");

        var replacement = (await account.GetOrderAsync(newId))!;
        Assert.Equal((OrderStatus.Filled, 6m), (replacement.Status, replacement.FilledQuantity));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("aud-race").GetStateAsync()).State);
    }

    // The cancel's answer can overtake the report of a fill: the venue filled 4 of the order at once, its report is held
    // until the clock moves, and the venue answers the cancel with Canceled and 4 filled. Ending the order on that answer
    // closed it to its own fill: the fill then came for an order the account had ended.
    [Fact]
    public async Task ACancelAnsweredBeforeAFillIsReported_EndsTheOrderWithThatFill_AndTripsNothing()
    {
        var time = NewClock();
        await using var cluster = await StartRaceClusterAsync(time);
        await Market.QuoteAsync(cluster, "AUDC", 48.9m, 49m, size: 4m);
        var account = await TestAccounts.OpenAsync(cluster, "aud-cancel", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("aud-c-1", "AUDC", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        var canceled = await account.CancelOrderAsync(placed.Order!.OrderId);
        Assert.True(canceled.Succeeded, canceled.Denial?.Message);
        Assert.Empty(await account.GetFillsAsync(0, 10));
        time.Advance(RaceWindow);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the late fill");
        var order = await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId), o => o?.Status.IsFinal() == true, "the order ended");

        Assert.Equal((OrderStatus.Canceled, 4m), (order!.Status, order.FilledQuantity));
        Assert.Equal(4m, (await account.GetPositionsAsync()).Sum(p => p.Quantity));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("aud-cancel").GetStateAsync()).State);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    // The same race: the venue sized the replacement at the 6 left, and the account takes that quantity. Its reservation
    // must follow: holding buying power for 10 at 48.5 while the order can buy only 6 understates the account's buying
    // power for as long as the replacement works.
    [Fact]
    public async Task AReplacementTheVenueSizedNetOfAFill_ReservesOnlyItsOwnQuantity()
    {
        var time = NewClock();
        await using var cluster = await StartRaceClusterAsync(time);
        await Market.QuoteAsync(cluster, "AUDZ", 50m, 50.02m);
        var account = await TestAccounts.OpenAsync(cluster, "aud-race-res", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("aud-rr-1", "AUDZ", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        await Market.QuoteAsync(cluster, "AUDZ", 48.9m, 49m, size: 4m);
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = placed.Order!.OrderId,
            Replacement = new OrderReplacement { LimitPrice = 48.5m },
        });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        Assert.Empty(await account.GetFillsAsync(0, 10));
        time.Advance(RaceWindow);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the old order's late fill");

        Assert.Equal(6m, (await account.GetOrderAsync(replaced.Order!.OrderId))!.Quantity);
        Assert.Equal(6m * 48.5m, (await account.GetSnapshotAsync())!.Reserved);

        // The journal holds every change of an order: the venue's resize is one, with what it was and what it became.
        var journal = await account.GetJournalAsync(0, 100);
        var resize = Assert.Single(journal, j => j.OrderId == replaced.Order.OrderId && j.Action == "resized");
        Assert.Equal("quantity 10 -> 6 by the broker", resize.Detail);

        // A change clients sync by: the replacement's updatedAt is its last journaled change, the resize or later.
        var replacement = (await account.GetOrderAsync(replaced.Order.OrderId))!;
        Assert.Equal(journal.Where(j => j.OrderId == replaced.Order.OrderId).Max(j => j.Timestamp), replacement.UpdatedAt);
    }

    // A margin account long 10 with a resting sell of 10 (e.g. a take-profit) asks to close the position: the close sells
    // 10 at market, and when the resting sell fills too the account is short 10. The documented behaviour (api.md) is
    // that a position that working orders already cover is refused.
    [Fact]
    public async Task ClosingAPositionCoveredByARestingSell_InAMarginAccount_NeverLeavesTheAccountShort()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "AUDS", 30m, 30m);
        var account = cluster.Account("aud-short");
        Assert.True((await account.OpenAsync(new OpenAccount { Cash = 100_000m, AccountType = AccountType.Margin, RiskLimits = TestAccounts.Loose })).Succeeded);
        await FillAsync(account, Market.MarketOrder("s-buy", "AUDS", OrderSide.Buy, 10m), 1);
        var resting = await account.PlaceOrderAsync(Market.Limit("s-tp", "AUDS", OrderSide.Sell, 10m, 31m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);

        var close = await account.ClosePositionAsync("AUDS");
        if (close.Succeeded)
        {
            await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "the close filled");
        }

        await Market.QuoteAsync(cluster, "AUDS", 31m, 31m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the resting sell filled");

        var position = (await account.GetPositionsAsync()).SingleOrDefault(p => p.Symbol == "AUDS");
        Assert.True((position?.Quantity ?? 0m) >= 0m, $"the account is short {position?.Quantity} after closing its position");
    }

    // A reconnect's catch-up reads the open orders after the missed fills: an order the venue filled (4 of 10) and then
    // canceled meanwhile is reported Canceled, with 4 filled, before the fill's own update that waits on the new connection.
    // Ending the order on that report closed it to its fill: the fill then came for an ended order and tripped REDUCING.
    [Fact]
    public async Task ACanceledReportThatOvertakesTheFillsReport_EndsTheOrderWithThatFill_AndTripsNothing()
    {
        await using var silo = await AlpacaSilo.StartAsync("aud-ovt", new Dictionary<string, string?> { ["Alpaca:StreamUnhealthyTripAfter"] = "01:00:00" });
        await Market.QuoteAsync(silo.Cluster, "AUDO", 30m, 30m);
        var account = await silo.OpenAsync("aud-ovt", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("aud-ovt-1", "AUDO", OrderSide.Buy, 10m, 29m));
        var orderId = placed.Order!.OrderId;

        // The catch-up's list of open orders waits while the venue fills 4 and cancels the rest on the new connection.
        var release = new TaskCompletionSource();
        var listed = silo.Venue.Requests.Count(r => r.Method == "GET" && r.Path == "/v2/orders");
        silo.Venue.AddFault(new FakeFault("GET", "/v2/orders", FakeFaultKind.DelayBeforeProcessing) { Gate = release.Task });
        silo.Venue.DropStreamConnections();
        await Eventually.WaitAsync(() => Task.FromResult(silo.Venue.Requests.Count(r => r.Method == "GET" && r.Path == "/v2/orders")), n => n > listed, "the catch-up's open orders");
        await silo.Venue.FillAsync(brokerOrderId, 4m, 29m);
        await silo.Venue.CancelAtVenueAsync(brokerOrderId);
        release.SetResult();

        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the fill");
        var order = await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o?.Status.IsFinal() == true, "the order ended");
        Assert.Equal((OrderStatus.Canceled, 4m), (order!.Status, order.FilledQuantity));
        Assert.Equal(4m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("aud-ovt").GetStateAsync()).State);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    // The replace's answer can overtake the report of a fill of the old order (4 of 10 at submit, the report held until
    // the clock moves): the old order ends Replaced before that fill is booked. The fill is then booked to it, and the
    // replaced order must show it, or it shows 0 filled while 4 are booked to it.
    [Fact]
    public async Task AReplaceAnsweredBeforeAFillOfTheOldOrderIsReported_EndsTheOldOrderWithThatFill()
    {
        var time = NewClock();
        await using var cluster = await StartRaceClusterAsync(time);
        await Market.QuoteAsync(cluster, "AUDQ", 48.9m, 49m, size: 4m);
        var account = await TestAccounts.OpenAsync(cluster, "aud-rfill", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("aud-rf-1", "AUDQ", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { LimitPrice = 48.5m } });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        Assert.Empty(await account.GetFillsAsync(0, 10));
        time.Advance(RaceWindow);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the late fill");

        var old = (await account.GetOrderAsync(placed.Order.OrderId))!;
        Assert.Equal((OrderStatus.Replaced, 4m, 49m), (old.Status, old.FilledQuantity, old.AverageFillPrice));
        Assert.True((await account.CancelOrderAsync(replaced.Order!.OrderId)).Succeeded);
        await AssertAgreesWithFillsAsync(cluster, account, "aud-rfill", 100_000m);
    }

    // A limit moved again and again (a strategy chasing the price): each replacement's generated client order id appended
    // "-r{orderId}" to the one before, so a UUID-ided order (36 characters) outgrew the 128 allowed at its 8th replace and
    // was denied ORDER_INVALID. The replacement's id is its root's with one suffix.
    [Fact]
    public async Task AnOrder_CanBeReplacedAgainAndAgain_ItsClientOrderIdDoesNotGrow()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "AUDC", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "aud-chain", 100_000m);
        const string root = "3f2b6c1e-8d4a-4b7e-9c2f-1a5d7e9b0c3d";
        var placed = await account.PlaceOrderAsync(Market.Limit(root, "AUDC", OrderSide.Buy, 10m, 46m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        var order = placed.Order!;
        for (var i = 1; i <= 12; i++)
        {
            var orderId = order.OrderId;
            await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");
            var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = new OrderReplacement { LimitPrice = 46m + (i * 0.1m) } });
            Assert.True(replaced.Succeeded, $"replace {i}: {replaced.Denial?.ReasonCode} {replaced.Denial?.Message}");
            order = replaced.Order!;
        }

        Assert.Equal($"{root}-r{order.OrderId}", order.ClientOrderId);
        Assert.Equal(order.OrderId, (await account.GetOrderByClientOrderIdAsync(order.ClientOrderId))!.OrderId);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((1, 472m), (snapshot.OpenOrderCount, snapshot.Reserved));
    }

    private static async Task AssertAgreesWithFillsAsync(TradingCluster cluster, IAccountGrain account, string accountId, decimal initial)
    {
        var fills = await account.GetFillsAsync(0, 100);
        var positions = await account.GetPositionsAsync();
        foreach (var symbol in fills.Select(f => f.Symbol).Distinct())
        {
            var sum = fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
            Assert.Equal(sum, positions.Where(p => p.Symbol == symbol).Sum(p => p.Quantity));
        }

        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(initial - fills.Sum(f => (f.Side == OrderSide.Buy ? 1 : -1) * f.Quantity * f.Price) - fills.Sum(f => f.Fee), snapshot.Cash);
        Assert.Equal(0m, snapshot.Reserved);
        Assert.Equal(TradingState.Active, (await cluster.Breaker(accountId).GetStateAsync()).State);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    private static async Task<(OrderCommandResult Placed, string BrokerOrderId)> PlaceAtBrokerAsync(IAccountGrain account, PlaceOrder command)
    {
        var placed = await account.PlaceOrderAsync(command);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var brokerOrderId = await Eventually.WaitAsync(
            async () => (await account.GetOrderAsync(placed.Order!.OrderId))?.BrokerOrderId, id => id is not null, "the broker order id");
        return (placed, brokerOrderId!);
    }
}
