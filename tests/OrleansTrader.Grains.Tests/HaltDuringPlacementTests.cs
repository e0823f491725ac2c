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
/// A halt that reaches the account while an order it admitted is being written (the notice interleaves with the write):
/// once the kill switch is acknowledged, nothing more goes to the venue, so that order is not sent.
/// </summary>
public sealed class HaltDuringPlacementTests
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AHaltAcknowledgedWhileAnAdmittedOrderIsWritten_KeepsThatOrderFromTheVenue(bool global)
    {
        var storage = new GatedStorage("account");
        await using var cluster = await StartAsync(storage);
        await Market.QuoteAsync(cluster, "HDP", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "halt-during-placement", 100_000m);

        // The placement passes its checks while ACTIVE and waits in its write; the halt is acknowledged meanwhile.
        var entered = storage.HoldNextWrite();
        var placing = account.PlaceOrderAsync(Market.MarketOrder("hdp-1", "HDP", OrderSide.Buy, 10m));
        await entered;
        var breaker = cluster.Breaker(global ? BreakerKeys.Global : "halt-during-placement");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "kill switch")).Succeeded);
        storage.Release();
        var placed = await placing;

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("halt-during-placement");
        var ct = TestContext.Current.CancellationToken;
        Assert.Null(await venue.GetOrderByClientOrderIdAsync("hdp-1", ct));
        Assert.Equal(RiskReasonCodes.TradingHalted, placed.Denial?.ReasonCode);
        var order = (await account.GetOrdersAsync(OrderStatusFilter.All, 10, null)).Single(o => o.ClientOrderId == "hdp-1");
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    [Fact]
    public async Task AHaltAcknowledgedWhileAnAdmittedReplaceIsWritten_LeavesTheOldOrderWorkingUnchanged()
    {
        var storage = new GatedStorage("account");
        await using var cluster = await StartAsync(storage);
        await Market.QuoteAsync(cluster, "HDR", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "halt-during-replace", 100_000m);
        var resting = await account.PlaceOrderAsync(Market.Limit("hdr-1", "HDR", OrderSide.Buy, 10m, 19.5m));
        Assert.True(resting.Succeeded);

        var entered = storage.HoldNextWrite();
        var replacing = account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = resting.Order!.OrderId,
            Replacement = new OrderReplacement { Quantity = 30m },
        });
        await entered;
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Halted, RiskOfficer, "kill switch")).Succeeded);
        storage.Release();
        var replaced = await replacing;

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("halt-during-replace");
        var open = Assert.Single(await venue.ListOpenOrdersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("hdr-1", 10m), (open.ClientOrderId, open.Quantity));
        Assert.Equal(RiskReasonCodes.TradingHalted, replaced.Denial?.ReasonCode);
        var working = Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
        Assert.Equal((resting.Order.OrderId, OrderStatus.Accepted, 10m), (working.OrderId, working.Status, working.Quantity));
    }

    internal static Task<TradingCluster> StartAsync(GatedStorage storage) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = new FakeTimeProvider(AccountUnsentOrderTests.Monday),
        ConfigureSilo = silo =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
            silo.Configure<AccountGrainOptions>(o =>
            {
                o.SignalInterval = TimeSpan.FromDays(30);
                o.ReconcileInterval = TimeSpan.FromDays(30);
            });
        },
    });
}
