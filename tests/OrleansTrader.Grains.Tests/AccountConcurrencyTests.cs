using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

public sealed class AccountConcurrencyTests(MemoryClusterFixture fixture) : IClassFixture<MemoryClusterFixture>
{
    private TradingCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task PlaceOrder_NeverOverCommitsBuyingPower_With500ConcurrentOrders()
    {
        await Market.QuoteAsync(Cluster, "CONA", 100m, 100.02m);
        var account = await TestAccounts.OpenAsync(Cluster, "conc-bp", 100_000m);

        // Resting buy limits at 99: each reserves exactly 990 (no fee on buys), so 101 fit in 100,000 and no more.
        var results = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => account.PlaceOrderAsync(Market.Limit($"bp-{i}", "CONA", OrderSide.Buy, 10m, 99m))));

        Assert.Equal(101, results.Count(r => r.Succeeded));
        Assert.Equal(399, results.Count(r => r.Denial?.ReasonCode == RiskReasonCodes.InsufficientBuyingPower));
        var snapshot = await account.GetSnapshotAsync();
        Assert.Equal(99_990m, snapshot!.Reserved);
        Assert.Equal(100_000m, snapshot.Cash);
        Assert.Equal(10m, snapshot.BuyingPower);
        Assert.Equal(101, snapshot.OpenOrderCount);
    }

    [Fact]
    public async Task PlaceOrder_NeverExceedsPositionLimit_With500ConcurrentOrders()
    {
        await Market.QuoteAsync(Cluster, "CONB", 100m, 100.02m);
        var account = await TestAccounts.OpenAsync(Cluster, "conc-pos", 1_000_000m, TestAccounts.Loose with { MaxPositionNotional = 20_000m });

        var results = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => account.PlaceOrderAsync(Market.Limit($"pos-{i}", "CONB", OrderSide.Buy, 10m, 99m))));

        // 20 orders of 10 at 99 = 19,800 <= 20,000; a 21st would make 20,790.
        Assert.Equal(20, results.Count(r => r.Succeeded));
        Assert.Equal(480, results.Count(r => r.Denial?.ReasonCode == RiskReasonCodes.PositionExceedsMax));
        var snapshot = await account.GetSnapshotAsync();
        Assert.Equal(19_800m, snapshot!.Reserved);
    }

    [Fact]
    public async Task PlaceOrder_ReturnsOneOrder_WhenSameClientOrderIdSent100TimesConcurrently()
    {
        await Market.QuoteAsync(Cluster, "CONC", 50m, 50.01m);
        var account = await TestAccounts.OpenAsync(Cluster, "conc-idem", 100_000m);

        var results = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(_ => account.PlaceOrderAsync(Market.Limit("same-id", "CONC", OrderSide.Buy, 5m, 49m))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results.Select(r => r.Order!.OrderId).Distinct());
        Assert.Equal(1, results.Count(r => !r.IsExisting));
        var orders = await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null);
        Assert.Single(orders);
        Assert.Equal(245m, (await account.GetSnapshotAsync())!.Reserved);
    }

    [Fact]
    public async Task MarketOrders_FillAndSettleExactly_WhenPlacedConcurrently()
    {
        await Market.QuoteAsync(Cluster, "COND", 20m, 20m);
        var account = await TestAccounts.OpenAsync(Cluster, "conc-fill", 10_000m);

        var results = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => account.PlaceOrderAsync(Market.MarketOrder($"mf-{i}", "COND", OrderSide.Buy, 10m))));

        // 10,000 buys 50 orders of 200; zero commission and no regulatory fee on buys.
        var accepted = results.Count(r => r.Succeeded);
        Assert.Equal(50, accepted);
        var fills = await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10_000), f => f.Count == 50, "50 fills");
        Assert.Equal(50, fills.Select(f => f.ExecutionId).Distinct().Count());
        var snapshot = await account.GetSnapshotAsync();
        Assert.Equal(0m, snapshot!.Cash);
        Assert.Equal(0m, snapshot.Reserved);
        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(500m, position.Quantity);
        Assert.Equal(20m, position.AverageEntryPrice);
    }
}
