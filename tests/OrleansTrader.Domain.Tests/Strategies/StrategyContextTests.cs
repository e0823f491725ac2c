using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class StrategyContextTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void SubmitOrder_AssignsSequentialDeterministicClientOrderIds()
    {
        var context = new StrategyContext("acct-1/sma", ["SPY"], T0, nextSequence: 41);

        var first = context.SubmitOrder(Request(OrderSide.Buy));
        var second = context.SubmitOrder(Request(OrderSide.Sell));

        Assert.Equal("acct-1/sma-41", first.ClientOrderId);
        Assert.Equal("acct-1/sma-42", second.ClientOrderId);
        Assert.Equal(43, context.NextSequence);
        Assert.Equal(T0, first.CreatedAt);
        Assert.Equal([first, second], context.DrainIntents());
        Assert.Empty(context.DrainIntents());
    }

    [Fact]
    public void CancelOrder_AsksOnceForAnOpenOrder_AndRefusesOthers()
    {
        var context = new StrategyContext("s", ["SPY"], T0);
        var intent = context.SubmitOrder(Request(OrderSide.Buy));

        Assert.True(context.CancelOrder(intent.ClientOrderId));
        Assert.True(context.CancelOrder(intent.ClientOrderId));
        Assert.False(context.CancelOrder("s-99"));
        Assert.Equal([intent.ClientOrderId], context.DrainCancels());
        Assert.Empty(context.DrainCancels());

        // Asked for, the order is still open until the host says otherwise; once final it cannot be canceled.
        Assert.True(context.HasOpenOrder("SPY"));
        context.ApplyOrderUpdate(new StrategyOrderUpdate { ClientOrderId = intent.ClientOrderId, Status = OrderStatus.Filled, FilledQuantity = 10m, Timestamp = T0 });
        Assert.False(context.CancelOrder(intent.ClientOrderId));
    }

    [Fact]
    public void CutOpenOrder_LowersTheQuantityTheStrategySees_AndRefusesAnUnknownOrderOrAnyOtherQuantity()
    {
        var context = new StrategyContext("s", ["SPY"], T0);
        var intent = context.SubmitOrder(Request(OrderSide.Buy));

        Assert.True(context.CutOpenOrder(intent.ClientOrderId, 4m));

        Assert.Equal(4m, Assert.Single(context.OpenOrders).Quantity);
        Assert.False(context.CutOpenOrder("s-99", 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.CutOpenOrder(intent.ClientOrderId, 5m));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.CutOpenOrder(intent.ClientOrderId, 0m));
    }

    [Fact]
    public void ReissueOpenOrder_AsksForPartOfARefusedOrderUnderTheNextId_OpenBesideTheRefusedOne()
    {
        var context = new StrategyContext("s", ["SPY"], T0, nextSequence: 7);
        var refused = context.SubmitOrder(Request(OrderSide.Buy));
        context.DrainIntents();

        var reissued = context.ReissueOpenOrder(refused, 4m);

        Assert.Equal(("s-8", 8L, 4m, OrderSide.Buy), (reissued.ClientOrderId, reissued.Sequence, reissued.Quantity, reissued.Side));
        Assert.Equal(9, context.NextSequence);
        Assert.Equal([(refused.ClientOrderId, 10m), ("s-8", 4m)], context.OpenOrders.Select(o => (o.ClientOrderId, o.Quantity)));
        Assert.Empty(context.DrainIntents());
        Assert.Throws<ArgumentOutOfRangeException>(() => context.ReissueOpenOrder(refused, 11m));
        context.ApplyOrderUpdate(new StrategyOrderUpdate { ClientOrderId = refused.ClientOrderId, Status = OrderStatus.Replaced, Timestamp = T0 });
        Assert.Throws<InvalidOperationException>(() => context.ReissueOpenOrder(refused, 4m));
    }

    [Fact]
    public void SubmitOrder_MakesTheOrderOpen_UntilAFinalUpdate()
    {
        var context = new StrategyContext("s", ["SPY"], T0);
        var intent = context.SubmitOrder(Request(OrderSide.Buy));
        Assert.True(context.HasOpenOrder("SPY"));
        Assert.Equal(OrderStatus.PendingNew, Assert.Single(context.OpenOrders).Status);

        context.ApplyOrderUpdate(new StrategyOrderUpdate { ClientOrderId = intent.ClientOrderId, Status = OrderStatus.PartiallyFilled, FilledQuantity = 4m, Timestamp = T0 });
        Assert.Equal(6m, Assert.Single(context.OpenOrders).RemainingQuantity);

        var known = context.ApplyOrderUpdate(new StrategyOrderUpdate { ClientOrderId = intent.ClientOrderId, Status = OrderStatus.Canceled, FilledQuantity = 4m, Timestamp = T0 });

        Assert.True(known);
        Assert.False(context.HasOpenOrder("SPY"));
        Assert.False(context.ApplyOrderUpdate(new StrategyOrderUpdate { ClientOrderId = "other", Status = OrderStatus.Filled, Timestamp = T0 }));
    }

    [Fact]
    public void SubmitOrder_RejectsInvalidIntents()
    {
        var context = new StrategyContext("s", ["SPY"], T0);

        Assert.Throws<ArgumentException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { Symbol = "QQQ" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { Quantity = 0m }));
        Assert.Throws<ArgumentException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { Type = OrderType.Limit }));
        Assert.Throws<ArgumentException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { LimitPrice = 10m }));
        Assert.Throws<ArgumentException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { Type = OrderType.Stop, StopPrice = -1m }));
        Assert.Throws<ArgumentException>(() => context.SubmitOrder(Request(OrderSide.Buy) with { Reason = " " }));
        Assert.Equal(1, context.NextSequence);
        Assert.Empty(context.OpenOrders);
    }

    [Fact]
    public void AdvanceTo_RefusesToGoBackInTime()
    {
        var context = new StrategyContext("s", ["SPY"], T0);

        Assert.Throws<ArgumentOutOfRangeException>(() => context.AdvanceTo(T0.AddTicks(-1)));
        context.AdvanceTo(T0.AddMinutes(1));
        Assert.Equal(T0.AddMinutes(1), context.Now);
    }

    [Fact]
    public void GetPosition_IsFlat_ForUnknownSymbol_AndReflectsSetPosition()
    {
        var context = new StrategyContext("s", ["SPY"], T0);
        Assert.True(context.GetPosition("SPY").IsFlat);

        context.SetPosition("SPY", -5m, 101.25m);

        Assert.Equal(new StrategyPosition("SPY", -5m, 101.25m), context.GetPosition("SPY"));
    }

    [Fact]
    public void ToOrderRequest_CarriesTheIntent()
    {
        var context = new StrategyContext("s", ["SPY"], T0);
        var intent = context.SubmitOrder(Request(OrderSide.Sell) with { Type = OrderType.Limit, LimitPrice = 99.5m, TimeInForce = TimeInForce.Gtc });

        var request = intent.ToOrderRequest();

        Assert.Equal(
            new OrderRequest { ClientOrderId = "s-1", Symbol = "SPY", Side = OrderSide.Sell, Type = OrderType.Limit, Quantity = 10m, LimitPrice = 99.5m, TimeInForce = TimeInForce.Gtc },
            request);
    }

    private static OrderIntentRequest Request(OrderSide side) => new()
    {
        Symbol = "SPY",
        Side = side,
        Quantity = 10m,
        Reason = "test",
    };
}
