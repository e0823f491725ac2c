using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>A preview answers what a placement in the same state would, and changes nothing.</summary>
public sealed class OrderPreviewTests
{
    [Fact]
    public async Task APreview_ShowsTheReservationAndFee_OfThePlacementThatFollows_AndChangesNothing()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "preview", 10_000m);
        await Market.QuoteAsync(cluster, "PRV", 49.99m, 50.01m);
        var order = Market.Limit("p-1", "PRV", OrderSide.Buy, 100m, 45m).Request;
        var before = (await account.GetSnapshotAsync())!;

        var preview = await account.PreviewOrderAsync(order);

        Assert.True(preview.Approved, preview.Message);
        Assert.NotNull(preview.RequiredReservation);
        Assert.NotNull(preview.EstimatedFee);
        var after = (await account.GetSnapshotAsync())!;
        Assert.Equal((before.Cash, before.Reserved, before.OpenOrderCount, before.LastEventSequence), (after.Cash, after.Reserved, after.OpenOrderCount, after.LastEventSequence));
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.All, 10, null));
        Assert.Empty(await account.GetJournalAsync(0, 10));

        // The placement in the same state reserves what the preview said.
        var placed = await account.PlaceOrderAsync(new PlaceOrder { Request = order });
        Assert.Null(placed.Denial);
        Assert.Equal(preview.RequiredReservation, (await account.GetSnapshotAsync())!.Reserved);
        var again = await account.PreviewOrderAsync(order);
        Assert.Equal(RiskReasonCodes.DuplicateClientOrderId, again.ReasonCode);
        Assert.Contains(placed.Order!.OrderId, again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeniedPreview_HasTheReasonAndMaxQuantity_OfTheDenialAPlacementGets()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "preview-poor", 1_000m);
        await Market.QuoteAsync(cluster, "PRV", 49.99m, 50.01m);
        var order = Market.MarketOrder("p-2", "PRV", OrderSide.Buy, 100m).Request;

        var preview = await account.PreviewOrderAsync(order);
        var placed = await account.PlaceOrderAsync(new PlaceOrder { Request = order });

        Assert.False(preview.Approved);
        Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, preview.ReasonCode);
        Assert.Equal((placed.Denial!.ReasonCode, placed.Denial.MaxQuantity), (preview.ReasonCode, preview.MaxQuantity));
        Assert.True(preview.MaxQuantity is > 0m and < 100m, $"max quantity {preview.MaxQuantity}");
        Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, (await account.PreviewOrderAsync(order with { ClientOrderId = string.Empty })).ReasonCode);
    }
}
