using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Bracket, OCO and OTO orders through the account on the paper venue: the exits the venue creates become the account's
/// orders, hold one reservation between them, and end as the venue ends them, with nothing left over and no mismatch.
/// </summary>
public sealed class AccountBracketOrderTests
{
    [Fact]
    public async Task ABracket_FillsItsEntry_ThenItsTakeProfitClosesThePosition_AndTheStopLossIsCanceled()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "BRKT", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket", 100_000m);

        var placed = await account.PlaceOrderAsync(Bracket("bk-1", "BRKT", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.Equal(OrderClass.Bracket, placed.Order!.OrderClass);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the entry's fill");

        var exits = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the two exits working");
        Assert.All(exits, e => Assert.Equal(placed.Order.OrderId, e.ParentOrderId));
        Assert.All(exits, e => Assert.Equal((OrderSide.Sell, 10m), (e.Side, e.Quantity)));
        Assert.Equal([OrderType.Limit, OrderType.Stop], exits.Select(e => e.Type).Order());

        // The exits close what the entry bought: they hold no buying power but the estimate of their fee (the regulatory
        // fees on a sale), and between them they claim the position once, so a further sell of it would be a short.
        Assert.InRange((await account.GetSnapshotAsync())!.Reserved, 0.01m, 0.10m);
        var extra = await account.PlaceOrderAsync(Market.Limit("bk-extra", "BRKT", OrderSide.Sell, 10m, 51m));
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, extra.Denial?.ReasonCode);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);

        await Market.QuoteAsync(cluster, "BRKT", 52m, 52.02m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "both exits ended");

        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal(2, fills.Count);
        var takeProfit = exits.Single(e => e.Type == OrderType.Limit);
        var stopLoss = exits.Single(e => e.Type == OrderType.Stop);
        Assert.Equal((takeProfit.OrderId, OrderSide.Sell, 10m, 52m), (fills[1].OrderId, fills[1].Side, fills[1].Quantity, fills[1].Price));
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(stopLoss.OrderId))!.Status);
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderAsync(takeProfit.OrderId))!.Status);
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);

        var reconciled = await account.ReconcileAsync();
        Assert.Empty(reconciled.Mismatches);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("bracket").GetStateAsync()).State);
    }

    [Fact]
    public async Task ABracketsStopLoss_ClosesThePosition_WhenATradeReachesItsStop()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "BRKS", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-stop", 100_000m);
        var placed = await account.PlaceOrderAsync(Bracket("bs-1", "BRKS", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the two exits working");

        await Market.QuoteAsync(cluster, "BRKS", 47.9m, 48m);
        await Market.TradeAsync(cluster, "BRKS", 48m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "both exits ended");

        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal((OrderSide.Sell, 10m, 47.9m), (fills[^1].Side, fills[^1].Quantity, fills[^1].Price));
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    [Fact]
    public async Task CancelingABracketBeforeItsEntryFills_EndsItsExitsToo_AndReleasesEverything()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "BRKC", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-cancel", 100_000m);
        var bracket = Bracket("bc-1", "BRKC", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 44m);
        bracket = bracket with { Request = bracket.Request with { Type = OrderType.Limit, LimitPrice = 45m } };
        var placed = await account.PlaceOrderAsync(bracket);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the entry and its held exits");
        Assert.Equal(450m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);

        var canceled = await account.CancelOrderAsync(placed.Order!.OrderId);
        Assert.True(canceled.Succeeded, canceled.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the exits canceled with the entry");

        Assert.All(await account.GetOrdersAsync(OrderStatusFilter.All, 10, null), o => Assert.Equal(OrderStatus.Canceled, o.Status));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    [Fact]
    public async Task AnOco_ProtectsAnExistingPosition_AndItsStopLossFillEndsTheTakeProfit()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "OCOX", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "oco", 100_000m);
        await FillAsync(account, Market.MarketOrder("oc-buy", "OCOX", OrderSide.Buy, 10m), 1);

        var oco = Bracket("oc-1", "OCOX", OrderSide.Sell, 10m, takeProfit: 52m, stopLoss: 48m);
        oco = oco with { Request = oco.Request with { OrderClass = OrderClass.Oco, Type = OrderType.Limit, LimitPrice = 52m } };
        var placed = await account.PlaceOrderAsync(oco);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var open = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the take-profit and its stop-loss");
        Assert.Equal(placed.Order!.OrderId, open.Single(o => o.Type == OrderType.Stop).ParentOrderId);

        // The two exits claim the position once: it cannot be sold a third time, nor closed on top of them.
        var extra = await account.PlaceOrderAsync(Market.Limit("oc-extra", "OCOX", OrderSide.Sell, 1m, 51m));
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, extra.Denial?.ReasonCode);
        var close = await account.ClosePositionAsync("OCOX");
        Assert.Equal(RiskReasonCodes.ShortingNotAllowed, close.Denial?.ReasonCode);
        Assert.Contains("already sell 10 of the 10", close.Denial!.Message, StringComparison.Ordinal);

        await Market.QuoteAsync(cluster, "OCOX", 47.9m, 48m);
        await Market.TradeAsync(cluster, "OCOX", 48m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "both exits ended");

        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(placed.Order.OrderId))!.Status);
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("oco").GetStateAsync()).State);
    }

    [Fact]
    public async Task AGroupsOrders_CannotBeReplaced_OnlyCanceled()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "BRKR", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-replace", 100_000m);
        var placed = await account.PlaceOrderAsync(Bracket("br-1", "BRKR", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var exits = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the two exits working");

        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = exits.Single(e => e.Type == OrderType.Stop).OrderId,
            Replacement = new OrderReplacement { StopPrice = 49m },
        });

        Assert.Equal(AccountErrorCodes.OrderNotReplaceable, replaced.Denial?.ReasonCode);
        Assert.Equal(2, (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Count);
    }

    // A bracket's exits are held until its entry fills: they close nothing yet, so closing a position the account already
    // held is not refused as if they covered it (a sell of it passes the risk check too).
    [Fact]
    public async Task ClosingAPosition_IsNotRefused_ForTheHeldExitsOfABracketWhoseEntryHasNotFilled()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "BRKH", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-held", 100_000m);
        await FillAsync(account, Market.MarketOrder("bh-buy", "BRKH", OrderSide.Buy, 10m), 1);
        var bracket = Bracket("bh-1", "BRKH", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 44m);
        bracket = bracket with { Request = bracket.Request with { Type = OrderType.Limit, LimitPrice = 45m } };
        Assert.True((await account.PlaceOrderAsync(bracket)).Succeeded);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the entry and its held exits");

        var close = await account.ClosePositionAsync("BRKH");

        Assert.True(close.Succeeded, close.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(x => x.Quantity == 0m), "the position closed");
    }

    // Exits canceled while their entry fills (a cancel-all meeting the fill, seen in a crash-loop audit): the venue filled
    // the entry, its report on the way, and then canceled the exits it had just activated, at the account's request. The
    // entry's fill, booked after its exits ended, reserved for exits that no longer worked: the fee estimate stayed
    // reserved with no order open, for good.
    [Fact]
    public async Task AnEntryFillBookedAfterItsExitsWereCanceled_ReservesNothingForThem()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var reportDelay = TimeSpan.FromSeconds(3);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,

            // The fill's report waits on a clock only the test moves, so the exits' cancels go first however loaded the machine.
            ConfigureSilo = silo => silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = reportDelay),
        });
        await Market.QuoteAsync(cluster, "BRKX", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-exits-first", 100_000m);
        var bracket = Bracket("bx-1", "BRKX", OrderSide.Buy, 10m, takeProfit: 52m, stopLoss: 44m);
        bracket = bracket with { Request = bracket.Request with { Type = OrderType.Limit, LimitPrice = 49m } };
        var placed = await account.PlaceOrderAsync(bracket);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var exits = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the entry and its held exits"))
            .Where(o => o.ParentOrderId == placed.Order!.OrderId).ToList();

        await Market.QuoteAsync(cluster, "BRKX", 48.9m, 49m);
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("bracket-exits-first");
        await Eventually.WaitAsync(() => venue.GetOrderByClientOrderIdAsync("bx-1"), o => o?.FilledQuantity == 10m, "the venue's fill of the entry");
        foreach (var exit in exits)
        {
            var canceled = await account.CancelOrderAsync(exit.OrderId);
            Assert.Equal(OrderStatus.Canceled, canceled.Order?.Status);
        }

        time.Advance(reportDelay);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o!.Status == OrderStatus.Filled, "the entry's fill booked");

        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
        Assert.Equal(10m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    private static PlaceOrder Bracket(string clientOrderId, string symbol, OrderSide side, decimal quantity, decimal takeProfit, decimal stopLoss) =>
        Market.AsBracket(Market.MarketOrder(clientOrderId, symbol, side, quantity), takeProfit, stopLoss);
}
