using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class OrderTests
{
    private static Order Accepted(decimal quantity = 100m) =>
        Order.Create("o1", LimitOrder(OrderSide.Buy, quantity, 100m), T0).Apply(OrderEvent.Accept, T0).GetValueOrThrow();

    [Fact]
    public void ApplyFill_TracksFilledLeavesAndAveragePrice()
    {
        var order = Accepted();

        var first = order.ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m)).GetValueOrThrow().Order;
        var second = first.ApplyFill(Exec("e2", OrderSide.Buy, 60m, 99m)).GetValueOrThrow().Order;

        Assert.Equal(OrderStatus.PartiallyFilled, first.Status);
        Assert.Equal(60m, first.LeavesQuantity);
        Assert.Equal(OrderStatus.Filled, second.Status);
        Assert.Equal(100m, second.FilledQuantity);
        Assert.Equal(0m, second.LeavesQuantity);
        Assert.Equal(99.4m, second.AverageFillPrice);
    }

    // updatedAt is what a client syncs orders by: a change stamped by a clock that stepped back (or a stamp older than the
    // order's, such as a venue's execution time) must not move it back, or the change sorts before ones the client has.
    [Fact]
    public void Apply_StampedEarlierThanTheOrder_NeverMovesUpdatedAtBack()
    {
        var order = Accepted();

        var canceling = order.Apply(OrderEvent.CancelRequest, T0.AddSeconds(-1)).GetValueOrThrow();

        Assert.Equal(OrderStatus.PendingCancel, canceling.Status);
        Assert.Equal(T0, canceling.UpdatedAt);
    }

    // The account books a venue's report after the venue executed it: the order is changed at the booking, on the
    // account's clock, while the execution keeps the venue's time.
    [Fact]
    public void ApplyFill_AtTheKeepersTime_StampsUpdatedAtWithIt_NeverBack()
    {
        var order = Accepted();

        var first = order.ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m), T0.AddSeconds(2)).GetValueOrThrow().Order;
        var second = first.ApplyFill(Exec("e2", OrderSide.Buy, 60m, 100m), T0.AddSeconds(1)).GetValueOrThrow().Order;

        Assert.Equal(T0.AddSeconds(2), first.UpdatedAt);
        Assert.Equal((OrderStatus.Filled, T0.AddSeconds(2)), (second.Status, second.UpdatedAt));
    }

    [Fact]
    public void ApplyFill_SameExecutionTwice_IsIdempotent()
    {
        var order = Accepted().ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m)).GetValueOrThrow().Order;

        var again = order.ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m)).GetValueOrThrow();

        Assert.True(again.IsDuplicate);
        Assert.Same(order, again.Order);
        Assert.Equal(40m, again.Order.FilledQuantity);
    }

    [Fact]
    public void ApplyFill_BeyondOrderQuantity_IsOverfillError()
    {
        var order = Accepted().ApplyFill(Exec("e1", OrderSide.Buy, 90m, 100m)).GetValueOrThrow().Order;

        var result = order.ApplyFill(Exec("e2", OrderSide.Buy, 20m, 100m));

        Assert.Equal(FillErrorCodes.Overfill, result.Error?.Code);
        Assert.Equal(90m, order.FilledQuantity);
    }

    [Fact]
    public void ApplyFill_RefusesMismatchedExecutions()
    {
        var order = Accepted();

        Assert.Equal(FillErrorCodes.WrongOrder, order.ApplyFill(Exec("e1", OrderSide.Buy, 1m, 100m, orderId: "o2")).Error?.Code);
        Assert.Equal(FillErrorCodes.SideMismatch, order.ApplyFill(Exec("e1", OrderSide.Sell, 1m, 100m)).Error?.Code);
        Assert.Equal(FillErrorCodes.SymbolMismatch, order.ApplyFill(Exec("e1", OrderSide.Buy, 1m, 100m, symbol: "IBM")).Error?.Code);
        Assert.Equal(FillErrorCodes.PriceNotPositive, order.ApplyFill(Exec("e1", OrderSide.Buy, 1m, 0m)).Error?.Code);
        Assert.Equal(FillErrorCodes.QuantityNotPositive, order.ApplyFill(Exec("e1", OrderSide.Buy, -1m, 100m)).Error?.Code);
        Assert.Equal(FillErrorCodes.ExecutionIdMissing, order.ApplyFill(Exec("", OrderSide.Buy, 1m, 100m)).Error?.Code);
    }

    [Fact]
    public void ApplyFill_OnFinalOrder_IsRefused()
    {
        var canceled = Accepted().Apply(OrderEvent.Canceled, T0).GetValueOrThrow();

        var result = canceled.ApplyFill(Exec("e1", OrderSide.Buy, 1m, 100m));

        Assert.Equal(OrderTransitionReasons.OrderIsFinal, result.Error?.Code);
        Assert.Equal(0m, canceled.LeavesQuantity);
    }

    [Fact]
    public void PartialFillDuringPendingCancel_StaysPending_ThenCancelRejectedReturnsToPartiallyFilled()
    {
        var pending = Accepted().Apply(OrderEvent.CancelRequest, T0).GetValueOrThrow();

        var filled = pending.ApplyFill(Exec("e1", OrderSide.Buy, 10m, 100m)).GetValueOrThrow().Order;
        var back = filled.Apply(OrderEvent.CancelRejected, T0.AddSeconds(1), "too late").GetValueOrThrow();

        Assert.Equal(OrderStatus.PendingCancel, filled.Status);
        Assert.Equal(OrderStatus.PartiallyFilled, back.Status);
        Assert.Equal("too late", back.StatusReason);
    }

    [Fact]
    public void Cancel_OfFinalOrder_IsRefused()
    {
        var filled = Accepted().ApplyFill(Exec("e1", OrderSide.Buy, 100m, 100m)).GetValueOrThrow().Order;

        Assert.Equal(OrderTransitionReasons.OrderIsFinal, OrderReplaceRules.CheckCancel(filled)?.Code);
        Assert.Null(OrderReplaceRules.CheckCancel(Accepted()));
    }

    [Fact]
    public void Replace_QuantityBelowFilled_IsRefused()
    {
        var order = Accepted().ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m)).GetValueOrThrow().Order;

        Assert.Equal(OrderErrorCodes.ReplaceQuantityBelowFilled, OrderReplaceRules.CheckReplace(order, new OrderReplacement { Quantity = 30m })?.Code);
        Assert.Equal(OrderErrorCodes.ReplaceLeavesNothing, OrderReplaceRules.CheckReplace(order, new OrderReplacement { Quantity = 40m })?.Code);
        Assert.Equal(OrderErrorCodes.ReplaceNoChange, OrderReplaceRules.CheckReplace(order, new OrderReplacement())?.Code);
        Assert.Null(OrderReplaceRules.CheckReplace(order, new OrderReplacement { Quantity = 50m }));
    }

    [Fact]
    public void Replace_ThatRepeatsTheCurrentValues_ChangesNothing_AndIsRefused()
    {
        // The order is a DAY buy of 100 at a 100 limit: sending those values again would cancel it for an identical order.
        var order = Accepted();

        Assert.Equal(OrderErrorCodes.ReplaceNoChange, OrderReplaceRules.CheckReplace(order, new OrderReplacement { LimitPrice = 100m })?.Code);
        Assert.Equal(OrderErrorCodes.ReplaceNoChange,
            OrderReplaceRules.CheckReplace(order, new OrderReplacement { Quantity = 100m, TimeInForce = TimeInForce.Day })?.Code);
        Assert.Null(OrderReplaceRules.CheckReplace(order, new OrderReplacement { Quantity = 100m, LimitPrice = 99.5m }));
    }

    [Fact]
    public void Replace_OfFinalOrPendingNewOrder_IsRefused()
    {
        var fresh = Order.Create("o1", LimitOrder(OrderSide.Buy, 100m, 100m), T0);
        var expired = Accepted().Apply(OrderEvent.Expire, T0).GetValueOrThrow();

        Assert.Equal(OrderTransitionReasons.NotAcknowledged, OrderReplaceRules.CheckReplace(fresh, new OrderReplacement { LimitPrice = 99m })?.Code);
        Assert.Equal(OrderTransitionReasons.OrderIsFinal, OrderReplaceRules.CheckReplace(expired, new OrderReplacement { LimitPrice = 99m })?.Code);
    }

    [Fact]
    public void BuildReplacementRequest_CarriesRemainingQuantityAndNewPrice()
    {
        var order = Accepted().ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m)).GetValueOrThrow().Order;

        var request = OrderReplaceRules.BuildReplacementRequest(order, new OrderReplacement { Quantity = 150m, LimitPrice = 99.5m }, "c-new");

        Assert.Equal(110m, request.Quantity);
        Assert.Equal(99.5m, request.LimitPrice);
        Assert.Equal("c-new", request.ClientOrderId);
        Assert.Equal(OrderType.Limit, request.Type);
    }

    [Fact]
    public void Apply_RefusesFillEventsWithoutExecution()
    {
        Assert.Equal(OrderErrorCodes.FillRequiresExecution, Accepted().Apply(OrderEvent.Fill, T0).Error?.Code);
    }
}
