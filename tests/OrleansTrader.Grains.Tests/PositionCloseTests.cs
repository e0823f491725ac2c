using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>Closing positions: one, or all at once (long and short), with or without cancelling the working orders first.</summary>
public sealed class PositionCloseTests
{
    [Fact]
    public async Task ClosingAPosition_SellsItAtMarket_AndAFlatOneIsRefused()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "CLO", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, "close-one", 100_000m);
        await FillAsync(account, Market.MarketOrder("c-buy", "CLO", OrderSide.Buy, 30m), 1);

        var close = await account.ClosePositionAsync("CLO");

        Assert.True(close.Succeeded, close.Denial?.Message);
        Assert.Equal((OrderSide.Sell, OrderType.Market, 30m, "close-position"), (close.Order!.Side, close.Order.Type, close.Order.Quantity, close.Order.Origin));
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "the position closed");
        var again = await account.ClosePositionAsync("CLO");
        Assert.Equal(AccountErrorCodes.PositionFlat, again.Denial?.ReasonCode);
    }

    [Fact]
    public async Task ClosingAll_FlattensLongsAndShorts_AndCancelsTheWorkingOrdersFirst_WhenAsked()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "CLA", 50m, 50m);
        await Market.QuoteAsync(cluster, "CLB", 10m, 10m);
        var account = cluster.Account("close-all");
        Assert.True((await account.OpenAsync(new OpenAccount { Cash = 100_000m, AccountType = AccountType.Margin, RiskLimits = TestAccounts.Loose })).Succeeded);
        await FillAsync(account, Market.MarketOrder("a-buy", "CLA", OrderSide.Buy, 40m), 1);
        await FillAsync(account, Market.MarketOrder("b-short", "CLB", OrderSide.Sell, 100m), 2);
        var resting = await account.PlaceOrderAsync(Market.Limit("a-rest", "CLA", OrderSide.Buy, 5m, 49m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);

        var closed = await account.CloseAllPositionsAsync(cancelOrders: true);

        Assert.Equal(["CLA", "CLB"], closed.Select(c => c.Symbol));
        Assert.All(closed, c => Assert.True(c.Result.Succeeded, c.Result.Denial?.Message));
        Assert.Equal((OrderSide.Sell, 40m), (closed[0].Result.Order!.Side, closed[0].Result.Order!.Quantity));
        Assert.Equal((OrderSide.Buy, 100m), (closed[1].Result.Order!.Side, closed[1].Result.Order!.Quantity));
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "every position closed");
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "no working order");
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(resting.Order!.OrderId))!.Status);

        // Nothing to close: no results; and without cancelOrders a working order stays.
        var kept = await account.PlaceOrderAsync(Market.Limit("a-kept", "CLA", OrderSide.Buy, 5m, 49m));
        Assert.Empty(await account.CloseAllPositionsAsync(cancelOrders: false));
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(kept.Order!.OrderId))!.Status);
    }

    [Fact]
    public async Task ClosingAll_WithoutCancelling_SaysWhyAPositionCoveredByAWorkingSellIsNotClosed()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "CLC", 30m, 30m);
        var account = await TestAccounts.OpenAsync(cluster, "close-covered", 100_000m);
        await FillAsync(account, Market.MarketOrder("c-buy", "CLC", OrderSide.Buy, 10m), 1);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("c-sell", "CLC", OrderSide.Sell, 10m, 31m))).Succeeded);

        var covered = Assert.Single(await account.CloseAllPositionsAsync(cancelOrders: false));

        Assert.Equal("CLC", covered.Symbol);
        Assert.False(covered.Result.Succeeded);
        // The working sell already covers the 10 shares: selling 10 more would go short, which a cash account cannot.
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, covered.Result.Denial!.ReasonCode);

        // Cancelling first frees the position for its closing order.
        var closed = Assert.Single(await account.CloseAllPositionsAsync(cancelOrders: true));
        Assert.True(closed.Result.Succeeded, closed.Result.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(q => q.Quantity == 0m), "the position closed");
    }
}
