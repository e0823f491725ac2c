using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>A replace takes the place of the order it replaces, so the open-order limit counts them as one.</summary>
public sealed class ReplaceAtTheOpenOrderLimitTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    // MaxOpenOrders 1 and one resting buy: a second order is denied, but the replace of the resting one opens nothing
    // beside it (the old order ends as Replaced), so it passes and the account still has one open order.
    [Fact]
    public async Task AReplace_AtTheOpenOrderLimit_IsAccepted_WhileANewOrderIsDenied()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "replace-at-max", 10_000m, TestAccounts.Loose with { MaxOpenOrders = 1 });
        await Market.QuoteAsync(cluster, "RMX", 50m, 50m);
        var placed = await account.PlaceOrderAsync(Market.Limit("rmx-1", "RMX", OrderSide.Buy, 10m, 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");

        var second = await account.PlaceOrderAsync(Market.Limit("rmx-2", "RMX", OrderSide.Buy, 10m, 47m));
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { LimitPrice = 49m } });

        Assert.Equal(RiskReasonCodes.MaxOpenOrders, second.Denial?.ReasonCode);
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.Status == OrderStatus.Replaced, "replaced");
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((1, 490m), (snapshot.OpenOrderCount, snapshot.Reserved));
    }
}
