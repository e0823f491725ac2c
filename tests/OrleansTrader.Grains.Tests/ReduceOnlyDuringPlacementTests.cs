using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A trip to REDUCING that reaches the account while an order it admitted under ACTIVE is being written (the notice
/// interleaves with the write): once the trip is acknowledged, only what reduces a position goes to the venue, so an order
/// that would open or increase one is not sent, while one that cuts the position still is.
/// </summary>
public sealed class ReduceOnlyDuringPlacementTests
{
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ATripToReducingAcknowledgedWhileAnIncreasingOrderIsWritten_KeepsThatOrderFromTheVenue(bool global)
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "RDP", 20m, 20.02m);
        var account = await HoldingAsync(cluster, "reducing-during-placement", "RDP", 50m);

        var entered = storage.HoldNextWrite();
        var placing = account.PlaceOrderAsync(Market.MarketOrder("rdp-more", "RDP", OrderSide.Buy, 10m));
        await entered;
        var breaker = cluster.Breaker(global ? BreakerKeys.Global : "reducing-during-placement");
        Assert.True((await breaker.TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);
        storage.Release();
        var placed = await placing;

        Assert.Null(await Venue(cluster, "reducing-during-placement").GetOrderByClientOrderIdAsync("rdp-more", TestContext.Current.CancellationToken));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, placed.Denial?.ReasonCode);
        var order = (await account.GetOrderByClientOrderIdAsync("rdp-more"))!;
        Assert.Equal((OrderStatus.Rejected, false, null), (order.Status, order.InFlight, order.BrokerOrderId));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        var journal = await account.GetJournalAsync(0, 1_000);
        Assert.Contains(journal, j => j.OrderId == order.OrderId && j is { To: OrderStatus.Rejected, Action: "rejected" } && j.Detail == order.StatusReason);
        Assert.Equal(50m, (await account.GetPositionsAsync()).Single().Quantity);
    }

    [Fact]
    public async Task ATripToReducingAcknowledgedWhileAReducingOrderIsWritten_StillSendsIt()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "RDS", 20m, 20.02m);
        var account = await HoldingAsync(cluster, "reducing-sell-during-placement", "RDS", 50m);

        var entered = storage.HoldNextWrite();
        var placing = account.PlaceOrderAsync(Market.MarketOrder("rds-cut", "RDS", OrderSide.Sell, 20m));
        await entered;
        Assert.True((await cluster.Breaker("reducing-sell-during-placement").TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);
        storage.Release();
        var placed = await placing;

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.NotNull(await Venue(cluster, "reducing-sell-during-placement").GetOrderByClientOrderIdAsync("rds-cut", TestContext.Current.CancellationToken));
        await Eventually.WaitAsync<IReadOnlyList<AccountPosition>>(account.GetPositionsAsync, p => p.Single().Quantity == 30m, "the cut position");
    }

    // A replace that still only cuts the position is checked against the position without the order it replaces.
    [Fact]
    public async Task ATripToReducingAcknowledgedWhileAReducingReplaceIsWritten_StillSendsIt()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "RDC", 20m, 20.02m);
        var account = await HoldingAsync(cluster, "reducing-replace-cut", "RDC", 50m);
        var resting = await account.PlaceOrderAsync(Market.Limit("rdc-1", "RDC", OrderSide.Sell, 20m, 20.5m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);

        var entered = storage.HoldNextWrite();
        var replacing = account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = resting.Order!.OrderId,
            Replacement = new OrderReplacement { Quantity = 50m },
        });
        await entered;
        Assert.True((await cluster.Breaker("reducing-replace-cut").TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);
        storage.Release();
        var replaced = await replacing;

        Assert.True(replaced.Succeeded, $"{replaced.Denial?.ReasonCode}: {replaced.Denial?.Message}");
        var open = Assert.Single(await Venue(cluster, "reducing-replace-cut").ListOpenOrdersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(50m, open.Quantity);
    }

    [Fact]
    public async Task ATripToReducingAcknowledgedWhileAnOpeningReplaceIsWritten_LeavesTheOldOrderWorkingUnchanged()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "RDR", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "reducing-during-replace", 100_000m);
        var resting = await account.PlaceOrderAsync(Market.Limit("rdr-1", "RDR", OrderSide.Buy, 10m, 19.5m));
        Assert.True(resting.Succeeded);
        var reserved = (await account.GetSnapshotAsync())!.Reserved;

        var entered = storage.HoldNextWrite();
        var replacing = account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = resting.Order!.OrderId,
            Replacement = new OrderReplacement { Quantity = 30m },
        });
        await entered;
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);
        storage.Release();
        var replaced = await replacing;

        var open = Assert.Single(await Venue(cluster, "reducing-during-replace").ListOpenOrdersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("rdr-1", 10m), (open.ClientOrderId, open.Quantity));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, replaced.Denial?.ReasonCode);
        var working = Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
        Assert.Equal((resting.Order.OrderId, OrderStatus.Accepted, 10m), (working.OrderId, working.Status, working.Quantity));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);
    }

    [Fact]
    public async Task ATripToReducingAcknowledgedWhileAnUnsentPlacementIsCompleted_KeepsItFromTheVenue()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await HaltDuringPlacementTests.StartAsync(storage);
        await Market.QuoteAsync(cluster, "RDU", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "reducing-during-completion", 100_000m);
        var order = Market.Limit("rdu-1", "RDU", OrderSide.Buy, 10m, 19.5m);
        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.PlaceOrderAsync(order));

        // Placed again while ACTIVE, the never-sent order is checked and written anew; the trip lands during that write.
        var entered = storage.HoldNextWrite();
        var completing = account.PlaceOrderAsync(order);
        await entered;
        Assert.True((await cluster.Breaker("reducing-during-completion").TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);
        storage.Release();
        var completed = await completing;

        Assert.Null(await Venue(cluster, "reducing-during-completion").GetOrderByClientOrderIdAsync("rdu-1", TestContext.Current.CancellationToken));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, completed.Denial?.ReasonCode);
        var unsent = (await account.GetOrderByClientOrderIdAsync("rdu-1"))!;
        Assert.Equal((OrderStatus.Rejected, false, null), (unsent.Status, unsent.InFlight, unsent.BrokerOrderId));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    /// <summary>An account holding <paramref name="quantity"/> shares, its fill written before the test holds a write.</summary>
    private static async Task<IAccountGrain> HoldingAsync(TradingCluster cluster, string accountId, string symbol, decimal quantity)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"{accountId}-buy", symbol, OrderSide.Buy, quantity))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountPosition>>(account.GetPositionsAsync, p => p.SingleOrDefault()?.Quantity == quantity, "the bought position");
        return account;
    }

    private static IBrokerClient Venue(TradingCluster cluster, string accountId) =>
        cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(accountId);
}
