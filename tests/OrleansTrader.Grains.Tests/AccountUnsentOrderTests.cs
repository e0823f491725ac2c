using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A placement whose write failed (a database outage, a dropped connection) was never sent to the broker. The account
/// knows that while it lives: the same client order id placed again completes the placement; a later write that goes
/// through rejects it at once, not as an ambiguous submit after the in-flight grace; a cancel ends it without the broker.
/// </summary>
public sealed class AccountUnsentOrderTests
{
    internal static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    // The retry got the never-sent order back (existing, in flight) and nothing ever sent it.
    [Fact]
    public async Task APlacementWhoseWriteFailed_PlacedAgain_IsSentToTheBrokerOnce()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-retry", 10_000m);
        await Market.QuoteAsync(cluster, "UNR", 10m, 10m);
        var order = Market.Limit("unr-1", "UNR", OrderSide.Buy, 10m, 9.5m);

        storage.FailAll = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        storage.FailAll = false;
        var placed = await account.PlaceOrderAsync(order);

        Assert.True(placed is { Succeeded: true, IsExisting: false }, placed.Denial?.Message ?? $"existing: {placed.IsExisting}");
        Assert.Equal((OrderStatus.Accepted, false), (placed.Order!.Status, placed.Order.InFlight));
        Assert.NotNull(placed.Order.BrokerOrderId);

        // The broker has it (reconciliation finds it working), and the account has one order for the id.
        await account.ReconcileAsync();
        var orders = await account.GetOrdersAsync(OrderStatusFilter.All, 100, null);
        Assert.Equal([(placed.Order.OrderId, OrderStatus.Accepted)], orders.Select(o => (o.OrderId, o.Status)));
        Assert.Equal(95m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // It stayed in flight, reserved, until reconciliation rejected it as an ambiguous submit after the grace.
    [Fact]
    public async Task APlacementWhoseWriteFailed_IsRejectedByTheNextWriteThatGoesThrough_AndItsReservationReleased()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-reject", 10_000m);
        await Market.QuoteAsync(cluster, "UNJ", 10m, 10m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(Market.Limit("unj-1", "UNJ", OrderSide.Buy, 10m, 9.5m)));
        var other = await account.PlaceOrderAsync(Market.Limit("unj-2", "UNJ", OrderSide.Buy, 1m, 9m));
        Assert.True(other.Succeeded, other.Denial?.Message);

        var unsent = (await account.GetOrderByClientOrderIdAsync("unj-1"))!;
        Assert.Equal((OrderStatus.Rejected, false), (unsent.Status, unsent.InFlight));
        Assert.Contains("storage failed", unsent.StatusReason, StringComparison.Ordinal);
        Assert.Equal(9m, (await account.GetSnapshotAsync())!.Reserved);

        // The journal answers the rejection once it is written (with the next write: the refresh's here).
        await account.RefreshAsync();
        var journal = await account.GetJournalAsync(0, 1_000);
        Assert.Contains(journal, j => j.OrderId == unsent.OrderId && j is { To: OrderStatus.Rejected, Action: "rejected" } && j.Detail == unsent.StatusReason);

        // Placing it again answers the rejection; nothing goes to the broker.
        var again = await account.PlaceOrderAsync(Market.Limit("unj-1", "UNJ", OrderSide.Buy, 10m, 9.5m));
        Assert.True(again is { IsExisting: true, Order.Status: OrderStatus.Rejected }, again.Order?.Status.ToString());

        // The rejection is stored: a restart shows it, with the reservation released.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("unsent-reject");
        Assert.Equal(OrderStatus.Rejected, (await account.GetOrderByClientOrderIdAsync("unj-1"))!.Status);
        Assert.Equal(9m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // Placed again after the account's breaker halted it, the never-sent order went to the broker on the first placement's
    // risk check.
    [Fact]
    public async Task APlacementWhoseWriteFailed_PlacedAgainAfterAHalt_IsRejectedWithTheDenial_AndNotSent()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-halt", 10_000m);
        await Market.QuoteAsync(cluster, "UNH", 10m, 10m);
        var order = Market.Limit("unh-1", "UNH", OrderSide.Buy, 10m, 9.5m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        Assert.True((await cluster.Breaker("unsent-halt").TripAsync(TradingState.Halted, new BreakerActor("risk-officer", HasRiskRole: true), "halt")).Succeeded);
        var again = await account.PlaceOrderAsync(order);

        Assert.False(again.Succeeded);
        Assert.Equal(RiskReasonCodes.TradingHalted, again.Denial!.ReasonCode);
        var unsent = (await account.GetOrderByClientOrderIdAsync("unh-1"))!;
        Assert.Equal((OrderStatus.Rejected, false, null), (unsent.Status, unsent.InFlight, unsent.BrokerOrderId));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // Completed on the first call's reservation, a market buy placed again after the price rose held less than it could cost.
    [Fact]
    public async Task APlacementWhoseWriteFailed_PlacedAgainAfterThePriceRose_IsReservedAtTheNewPrice()
    {
        var storage = new WriteFailingStorage("account");
        // The fill waits on the fake clock, so the working order's reservation can be read.
        await using var cluster = await StartAsync(storage, configure: silo => silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = TimeSpan.FromMinutes(1)));
        var account = await TestAccounts.OpenAsync(cluster, "unsent-price", 100_000m);
        await Market.QuoteAsync(cluster, "UNP", 10m, 10m);
        var order = Market.MarketOrder("unp-1", "UNP", OrderSide.Buy, 100m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        await Market.QuoteAsync(cluster, "UNP", 10.8m, 10.8m);
        var placed = await account.PlaceOrderAsync(order);

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.InRange((await account.GetSnapshotAsync())!.Reserved, 1_080m, 1_100m);
    }

    // The signal tick's retry of the write resolves it too, while the outage outlasting the in-flight grace does not turn
    // it into an ambiguous submit.
    [Fact]
    public async Task APlacementWhoseWriteFailed_IsRejectedByTheSignalTicksWrite_EvenAfterTheInFlightGrace()
    {
        var time = new FakeTimeProvider(Monday);
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage, time);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-tick", 10_000m);
        await Market.QuoteAsync(cluster, "UNT", 10m, 10m);

        storage.FailAll = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(Market.Limit("unt-1", "UNT", OrderSide.Buy, 10m, 9.5m)));
        time.Advance(TimeSpan.FromMinutes(2));
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReconcileAsync());
        storage.FailAll = false;
        await account.RefreshAsync();

        var unsent = (await account.GetOrderByClientOrderIdAsync("unt-1"))!;
        Assert.Equal(OrderStatus.Rejected, unsent.Status);
        Assert.Contains("storage failed", unsent.StatusReason, StringComparison.Ordinal);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // The cancel was refused ("not confirmed by the broker yet; reconciliation resolves it first").
    [Fact]
    public async Task APlacementWhoseWriteFailed_IsCanceledWithoutTheBroker()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-cancel", 10_000m);
        await Market.QuoteAsync(cluster, "UNC", 10m, 10m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(Market.Limit("unc-1", "UNC", OrderSide.Buy, 10m, 9.5m)));
        var orderId = (await account.GetOrderByClientOrderIdAsync("unc-1"))!.OrderId;
        var canceled = await account.CancelOrderAsync(orderId);

        Assert.True(canceled is { Succeeded: true, Order.Status: OrderStatus.Canceled }, canceled.Denial?.Message);
        Assert.Null(canceled.Order!.BrokerOrderId);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // The retry was refused for RATE_LIMIT_EXCEEDED ("1 orders submitted ... (max 1)"): the never-sent first attempt was
    // counted as a submit beside the one order the retry sends. No other order is placed first: its acknowledgement would
    // be a write of its own, and one landing between the failed placement and its repeat rejects the unsent order (as
    // designed) before the repeat can complete it (seen under load).
    [Fact]
    public async Task APlacementWhoseWriteFailed_PlacedAgainAtTheSubmitLimit_IsSent_AndCountsOnce()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-rate", 10_000m,
            TestAccounts.Loose with { MaxSubmitsPerWindow = 1, SubmitWindow = TimeSpan.FromHours(1) });
        await Market.QuoteAsync(cluster, "UNR", 10m, 10m);
        var order = Market.Limit("unrate-1", "UNR", OrderSide.Buy, 1m, 9m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        var placed = await account.PlaceOrderAsync(order);

        Assert.True(placed is { Succeeded: true, IsExisting: false }, placed.Denial?.Message ?? $"existing: {placed.IsExisting}");
        Assert.NotNull(placed.Order!.BrokerOrderId);

        // One order sent: the limit is reached, the next one is refused for it.
        var next = await account.PlaceOrderAsync(Market.Limit("unrate-2", "UNR", OrderSide.Buy, 1m, 9m));
        Assert.Equal(RiskReasonCodes.RateLimitExceeded, next.Denial?.ReasonCode);
    }

    // Repeats whose writes keep failing are still one order: completed at last, it counts once. A never-sent placement
    // not repeated stays counted (its journal's submit counts after a restart too), so failed writes never outrun the limit.
    [Fact]
    public async Task APlacementWhoseWriteFailedRepeatedly_CountsOnce_AndTheLimitStillHolds()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-flood", 10_000m,
            TestAccounts.Loose with { MaxSubmitsPerWindow = 2, SubmitWindow = TimeSpan.FromHours(1) });
        await Market.QuoteAsync(cluster, "UNF", 10m, 10m);
        var order = Market.Limit("unflood-1", "UNF", OrderSide.Buy, 1m, 9m);

        storage.FailAll = true;
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));
        }

        storage.FailAll = false;
        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(Market.Limit("unflood-2", "UNF", OrderSide.Buy, 1m, 9m)));
        var placed = await account.PlaceOrderAsync(order);
        Assert.True(placed is { Succeeded: true, IsExisting: false }, placed.Denial?.Message ?? $"existing: {placed.IsExisting}");

        var next = await account.PlaceOrderAsync(Market.Limit("unflood-3", "UNF", OrderSide.Buy, 1m, 9m));
        Assert.Equal(RiskReasonCodes.RateLimitExceeded, next.Denial?.ReasonCode);
    }

    // The close asked again counted the never-sent close as a working sell that closed the position already: refused
    // (SHORTING_NOT_ALLOWED, "Working orders already sell 10 of the 10 UNP"), its write rejected the unsent close, and the
    // position stayed open.
    [Fact]
    public async Task AClosePositionWhoseWriteFailed_AskedAgain_ClosesThePosition()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage, new FakeTimeProvider(Monday.AddHours(1)));
        var account = await TestAccounts.OpenAsync(cluster, "unsent-close", 10_000m);
        await Market.QuoteAsync(cluster, "UNP", 10m, 10m);
        var bought = await account.PlaceOrderAsync(Market.MarketOrder("unp-buy", "UNP", OrderSide.Buy, 10m));
        Assert.True(bought.Succeeded, bought.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Any(q => q is { Symbol: "UNP", Quantity: 10m }), "the buy filled");

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ClosePositionAsync("UNP"));
        var close = await account.ClosePositionAsync("UNP");

        Assert.True(close.Succeeded, close.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Symbol != "UNP" || q.Quantity == 0m), "the close filled");
        var closes = (await account.GetOrdersAsync(OrderStatusFilter.All, 100, null)).Where(o => o.Origin == "close-position").ToList();
        Assert.Equal([OrderStatus.Filled, OrderStatus.Rejected], closes.Select(o => o.Status));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    /// <summary>A cluster whose account writes fail at the tests' command; the tests drive the tick and reconciliation.</summary>
    internal static Task<TradingCluster> StartAsync(WriteFailingStorage storage, FakeTimeProvider? time = null, Action<ISiloBuilder>? configure = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time ?? new FakeTimeProvider(Monday),
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Configure<AccountGrainOptions>(o =>
                {
                    o.SignalInterval = TimeSpan.FromDays(30);
                    o.ReconcileInterval = TimeSpan.FromDays(30);
                });
                configure?.Invoke(silo);
            },
        });
}
