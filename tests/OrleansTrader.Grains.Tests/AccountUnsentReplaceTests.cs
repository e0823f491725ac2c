using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A replace whose write failed was never sent to the broker: the old order works on there untouched. The account knows
/// that while it lives: the next write that goes through rejects the replacement and sets the old order back to working
/// with its reservation; a replace or cancel of the old order ends the unsent replacement first, then goes on as usual.
/// </summary>
public sealed class AccountUnsentReplaceTests
{
    private static readonly DateTimeOffset Monday = AccountUnsentOrderTests.Monday;

    private static readonly OrderReplacement To9 = new() { LimitPrice = 9m };

    // The old order stayed PendingReplace with both reservations (95 + 90) and the replacement in flight until
    // reconciliation's grace; a retry of the replace was refused (a replace already pending).
    [Fact]
    public async Task AReplaceWhoseWriteFailed_IsRejectedByTheNextWriteThatGoesThrough_TheOldOrderWorksOn_AndARetryIsAFreshReplace()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-replace", 10_000m);
        await Market.QuoteAsync(cluster, "URP", 10m, 10m);
        var oldId = (await PlaceAcceptedAsync(account, "urp-1", "URP")).OrderId;

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        var unsentId = (await ReplacementsOfAsync(account, oldId)).Single().OrderId;
        var other = await account.PlaceOrderAsync(Market.Limit("urp-2", "URP", OrderSide.Buy, 1m, 9m));
        Assert.True(other.Succeeded, other.Denial?.Message);

        var unsent = (await account.GetOrderAsync(unsentId))!;
        Assert.Equal((OrderStatus.Rejected, false, null), (unsent.Status, unsent.InFlight, unsent.BrokerOrderId));
        Assert.Equal("Not sent to the broker: the account's storage failed at its replace.", unsent.StatusReason);
        var old = (await account.GetOrderAsync(oldId))!;
        Assert.Equal((OrderStatus.Accepted, 9.5m, (string?)null), (old.Status, old.LimitPrice, old.ReplacedByOrderId));
        Assert.Equal(95m + 9m, (await account.GetSnapshotAsync())!.Reserved);

        // The journal answers the rejection once it is written (with the next write: the refresh's here).
        await account.RefreshAsync();
        var journal = await account.GetJournalAsync(0, 1_000);
        Assert.Contains(journal, j => j.OrderId == unsentId && j is { To: OrderStatus.Rejected, Action: "rejected" });
        Assert.Contains(journal, j => j.OrderId == oldId && j is { From: OrderStatus.PendingReplace, To: OrderStatus.Accepted, Action: "replace-rejected" });

        // The same replace again is a fresh one: a new replacement, sent, and the old order replaced by it at the broker.
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        Assert.NotEqual(unsentId, replaced.Order!.OrderId);
        Assert.Equal((OrderStatus.Accepted, false, 9m), (replaced.Order.Status, replaced.Order.InFlight, replaced.Order.LimitPrice));
        Assert.Equal((OrderStatus.Replaced, replaced.Order.OrderId), ((await account.GetOrderAsync(oldId))!.Status, (await account.GetOrderAsync(oldId))!.ReplacedByOrderId));
        Assert.Equal(90m + 9m, (await account.GetSnapshotAsync())!.Reserved);
        var report = await account.ReconcileAsync();
        Assert.Empty(report.Mismatches);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(replaced.Order.OrderId))!.Status);

        // Stored: a restart shows the same.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("unsent-replace");
        Assert.Equal(OrderStatus.Rejected, (await account.GetOrderAsync(unsentId))!.Status);
        Assert.Equal(90m + 9m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // Retried while the write still failed, the replace was refused as already pending; once storage was back, still refused.
    [Fact]
    public async Task AReplaceWhoseWriteFailed_RetriedDuringTheOutageAndAfter_SendsOneReplace()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-replace-retry", 10_000m);
        await Market.QuoteAsync(cluster, "URR", 10m, 10m);
        var oldId = (await PlaceAcceptedAsync(account, "urr-1", "URR")).OrderId;

        storage.FailAll = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        storage.FailAll = false;
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 });

        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        Assert.Equal(OrderStatus.Accepted, replaced.Order!.Status);
        var replacements = await ReplacementsOfAsync(account, oldId);
        Assert.Equal(replaced.Order.OrderId, Assert.Single(replacements, o => o.Status != OrderStatus.Rejected).OrderId);
        Assert.Equal(2, replacements.Count(o => o is { Status: OrderStatus.Rejected, BrokerOrderId: null }));
        Assert.Equal((OrderStatus.Replaced, replaced.Order.OrderId), ((await account.GetOrderAsync(oldId))!.Status, (await account.GetOrderAsync(oldId))!.ReplacedByOrderId));
        Assert.Equal(90m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    // The cancel was refused (a replace is pending) while the old order worked on at the broker.
    [Fact]
    public async Task AReplaceWhoseWriteFailed_ThenACancelOfTheOldOrder_CancelsItAtTheBroker()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-replace-cancel", 10_000m);
        await Market.QuoteAsync(cluster, "URC", 10m, 10m);
        var oldId = (await PlaceAcceptedAsync(account, "urc-1", "URC")).OrderId;

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        var canceled = await account.CancelOrderAsync(oldId);

        Assert.True(canceled is { Succeeded: true, Order.Status: OrderStatus.Canceled }, canceled.Denial?.Message);
        var unsent = Assert.Single(await ReplacementsOfAsync(account, oldId));
        Assert.Equal((OrderStatus.Rejected, "Not sent to the broker: the account's storage failed at its replace."), (unsent.Status, unsent.StatusReason));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(oldId))!.Status);
    }

    // The unsent replacement's client order id placed as a new order must not send it as a placement: it would work at
    // the broker beside the order it was to replace.
    [Fact]
    public async Task AReplaceWhoseWriteFailed_ItsReplacementsIdPlaced_IsNotSentAsAPlacement()
    {
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-replace-place", 10_000m);
        await Market.QuoteAsync(cluster, "URL", 10m, 10m);
        var oldId = (await PlaceAcceptedAsync(account, "url-1", "URL")).OrderId;

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        var unsent = Assert.Single(await ReplacementsOfAsync(account, oldId));
        var placed = await account.PlaceOrderAsync(Market.Limit(unsent.ClientOrderId, "URL", OrderSide.Buy, 10m, 9m));

        Assert.True(placed is { IsExisting: true, Order.BrokerOrderId: null }, placed.Order?.Status.ToString());
        await account.RefreshAsync();
        Assert.Equal(OrderStatus.Rejected, (await account.GetOrderAsync(unsent.OrderId))!.Status);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(oldId))!.Status);
        Assert.Equal(95m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    // Reconciliation after the grace took the replacement for an ambiguous submit ("Not found at the broker after an
    // ambiguous submit").
    [Fact]
    public async Task AReplaceWhoseWriteFailed_OutlastingTheInFlightGrace_IsNotJudgedAnAmbiguousSubmit()
    {
        var time = new FakeTimeProvider(Monday);
        var storage = new WriteFailingStorage("account");
        await using var cluster = await StartAsync(storage, time);
        var account = await TestAccounts.OpenAsync(cluster, "unsent-replace-tick", 10_000m);
        await Market.QuoteAsync(cluster, "URT", 10m, 10m);
        var oldId = (await PlaceAcceptedAsync(account, "urt-1", "URT")).OrderId;

        storage.FailAll = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReplaceOrderAsync(new ReplaceOrder { OrderId = oldId, Replacement = To9 }));
        time.Advance(TimeSpan.FromMinutes(2));
        await Assert.ThrowsAnyAsync<Exception>(() => account.ReconcileAsync());
        storage.FailAll = false;
        await account.RefreshAsync();

        var unsent = Assert.Single(await ReplacementsOfAsync(account, oldId));
        Assert.Equal((OrderStatus.Rejected, "Not sent to the broker: the account's storage failed at its replace."), (unsent.Status, unsent.StatusReason));
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(oldId))!.Status);
        Assert.Equal(95m, (await account.GetSnapshotAsync())!.Reserved);
    }

    /// <summary>Buy 10 at 9.5 (the market at 10): working at the broker, 95 reserved.</summary>
    private static async Task<AccountOrder> PlaceAcceptedAsync(IAccountGrain account, string clientOrderId, string symbol)
    {
        var placed = await account.PlaceOrderAsync(Market.Limit(clientOrderId, symbol, OrderSide.Buy, 10m, 9.5m));
        Assert.True(placed is { Succeeded: true, Order.Status: OrderStatus.Accepted }, placed.Denial?.Message ?? placed.Order?.Status.ToString());
        return placed.Order!;
    }

    private static async Task<List<AccountOrder>> ReplacementsOfAsync(IAccountGrain account, string oldId) =>
        [.. (await account.GetOrdersAsync(OrderStatusFilter.All, 100, null)).Where(o => o.ReplacesOrderId == oldId)];

    private static Task<TradingCluster> StartAsync(WriteFailingStorage storage, FakeTimeProvider? time = null) =>
        AccountUnsentOrderTests.StartAsync(storage, time);
}
