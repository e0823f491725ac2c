using OrleansTrader.Domain.Orders;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class OrderGroupTests
{
    private static readonly OrderGroup Bracket = OrderGroup.Create("g1", OrderClass.Bracket, "entry", "tp", "sl");

    private static Order Entry(decimal filled, OrderStatus finalStatus)
    {
        var order = Order.Create("entry", LimitOrder(OrderSide.Buy, 100m, 100m), T0).Apply(OrderEvent.Accept, T0).GetValueOrThrow();
        if (filled > 0m)
        {
            order = order.ApplyFill(Exec("e1", OrderSide.Buy, filled, 100m, orderId: "entry")).GetValueOrThrow().Order;
        }

        return order.Status == finalStatus ? order : order.Apply(finalStatus == OrderStatus.Canceled ? OrderEvent.Canceled : OrderEvent.Expire, T0).GetValueOrThrow();
    }

    private static Order Exit(string id, decimal quantity, decimal filled)
    {
        var order = Order.Create(id, LimitOrder(OrderSide.Sell, quantity, 110m), T0).Apply(OrderEvent.Accept, T0).GetValueOrThrow();
        return filled > 0m ? order.ApplyFill(Exec("x-" + id, OrderSide.Sell, filled, 110m, orderId: id)).GetValueOrThrow().Order : order;
    }

    [Fact]
    public void EntryPartiallyFilled_ChildrenStayHeld()
    {
        var partial = Order.Create("entry", LimitOrder(OrderSide.Buy, 100m, 100m), T0).Apply(OrderEvent.Accept, T0).GetValueOrThrow()
            .ApplyFill(Exec("e1", OrderSide.Buy, 40m, 100m, orderId: "entry")).GetValueOrThrow().Order;

        var update = Bracket.OnEntryChanged(partial);

        Assert.Empty(update.Actions);
        Assert.False(update.Group.ChildrenActive);
    }

    [Fact]
    public void EntryFilled_ActivatesBothChildrenForFilledQuantity()
    {
        var update = Bracket.OnEntryChanged(Entry(100m, OrderStatus.Filled));

        Assert.True(update.Group.ChildrenActive);
        Assert.Equal(
            [new OrderGroupAction(OrderGroupActionKind.ActivateChild, "tp", 100m), new OrderGroupAction(OrderGroupActionKind.ActivateChild, "sl", 100m)],
            update.Actions);
    }

    [Fact]
    public void EntryCanceledAfterPartialFill_ActivatesChildrenForPartialQuantity()
    {
        var update = Bracket.OnEntryChanged(Entry(30m, OrderStatus.Canceled));

        Assert.All(update.Actions, a => Assert.Equal((OrderGroupActionKind.ActivateChild, 30m), (a.Kind, a.Quantity)));
        Assert.Equal(2, update.Actions.Count);
    }

    [Fact]
    public void EntryCanceledUnfilled_CancelsChildren()
    {
        var update = Bracket.OnEntryChanged(Entry(0m, OrderStatus.Canceled));

        Assert.Equal(["tp", "sl"], update.Actions.Select(a => a.OrderId));
        Assert.All(update.Actions, a => Assert.Equal(OrderGroupActionKind.CancelOrder, a.Kind));
    }

    [Fact]
    public void ExitFilled_CancelsSibling()
    {
        var update = Bracket.OnExitChanged(Exit("tp", 100m, 100m), Exit("sl", 100m, 0m));

        Assert.Equal([new OrderGroupAction(OrderGroupActionKind.CancelOrder, "sl", 0m)], update.Actions);
    }

    [Fact]
    public void ExitPartiallyFilled_ShrinksSibling()
    {
        var update = Bracket.OnExitChanged(Exit("tp", 100m, 60m), Exit("sl", 100m, 0m));

        Assert.Equal([new OrderGroupAction(OrderGroupActionKind.ResizeOrder, "sl", 40m)], update.Actions);
    }

    [Fact]
    public void CancelAll_CancelsWorkingMembersOnly()
    {
        var actions = Bracket.CancelAll([Entry(100m, OrderStatus.Filled), Exit("tp", 100m, 0m), Exit("sl", 100m, 0m)]);

        Assert.Equal(["tp", "sl"], actions.Select(a => a.OrderId));
    }

    [Fact]
    public void Create_RefusesLegsThatDoNotFormTheClass()
    {
        Assert.Throws<ArgumentException>(() => OrderGroup.Create("g", OrderClass.Bracket, "entry", "tp", null));
        Assert.Throws<ArgumentException>(() => OrderGroup.Create("g", OrderClass.Oco, "entry", "tp", "sl"));
        Assert.True(OrderGroup.Create("g", OrderClass.Oco, null, "tp", "sl").ChildrenActive);
    }
}
