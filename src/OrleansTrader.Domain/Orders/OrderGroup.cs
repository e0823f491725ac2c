namespace OrleansTrader.Domain.Orders;

/// <summary>
/// Links the orders of a bracket, OCO or OTO. Behaviour (Alpaca's): exit children are held while the entry works and
/// are activated only when the entry is completely filled, for the filled quantity. If the entry ends without a
/// complete fill (canceled, expired) after a partial fill, the children are activated for the filled quantity so
/// the position is protected; with no fill they are canceled (canceling the parent cancels the children). A partial
/// fill of one exit shrinks the other to the quantity still open; a complete fill of one exit cancels the other.
/// An OCO has no entry: both exits work from the start.
/// </summary>
public sealed record OrderGroup
{
    public required string GroupId { get; init; }

    public required OrderClass OrderClass { get; init; }

    public string? EntryOrderId { get; init; }

    public string? TakeProfitOrderId { get; init; }

    public string? StopLossOrderId { get; init; }

    public bool ChildrenActive { get; init; }

    public static OrderGroup Create(string groupId, OrderClass orderClass, string? entryOrderId, string? takeProfitOrderId,
        string? stopLossOrderId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var valid = orderClass switch
        {
            OrderClass.Bracket => entryOrderId is not null && takeProfitOrderId is not null && stopLossOrderId is not null,
            OrderClass.Oco => entryOrderId is null && takeProfitOrderId is not null && stopLossOrderId is not null,
            OrderClass.Oto => entryOrderId is not null && (takeProfitOrderId is null) != (stopLossOrderId is null),
            _ => false,
        };
        if (!valid)
        {
            throw new ArgumentException($"The legs given do not form a {orderClass} group.", nameof(orderClass));
        }

        return new OrderGroup
        {
            GroupId = groupId,
            OrderClass = orderClass,
            EntryOrderId = entryOrderId,
            TakeProfitOrderId = takeProfitOrderId,
            StopLossOrderId = stopLossOrderId,
            ChildrenActive = orderClass == OrderClass.Oco,
        };
    }

    public IEnumerable<string> ChildOrderIds => new[] { TakeProfitOrderId, StopLossOrderId }.OfType<string>();

    /// <summary>Call after every change of the entry order.</summary>
    public OrderGroupUpdate OnEntryChanged(Order entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.OrderId != EntryOrderId)
        {
            throw new ArgumentException($"Order {entry.OrderId} is not the entry of group {GroupId}.", nameof(entry));
        }

        if (ChildrenActive || !entry.Status.IsFinal())
        {
            return new OrderGroupUpdate(this, []);
        }

        if (entry.Status == OrderStatus.Replaced)
        {
            return new OrderGroupUpdate(this, []);
        }

        if (entry.FilledQuantity > 0m)
        {
            var activate = ChildOrderIds.Select(id => new OrderGroupAction(OrderGroupActionKind.ActivateChild, id, entry.FilledQuantity)).ToList();
            return new OrderGroupUpdate(this with { ChildrenActive = true }, activate);
        }

        var cancel = ChildOrderIds.Select(id => new OrderGroupAction(OrderGroupActionKind.CancelOrder, id, 0m)).ToList();
        return new OrderGroupUpdate(this, cancel);
    }

    /// <summary>A replace of the entry gives the group its new entry order id.</summary>
    public OrderGroup WithEntry(string newEntryOrderId) => this with { EntryOrderId = newEntryOrderId };

    /// <summary>Call after every change of an exit; <paramref name="sibling"/> is the other exit (null for an OTO).</summary>
    public OrderGroupUpdate OnExitChanged(Order exit, Order? sibling)
    {
        ArgumentNullException.ThrowIfNull(exit);
        if (exit.OrderId != TakeProfitOrderId && exit.OrderId != StopLossOrderId)
        {
            throw new ArgumentException($"Order {exit.OrderId} is not an exit of group {GroupId}.", nameof(exit));
        }

        if (sibling is null || sibling.Status.IsFinal() || exit.FilledQuantity == 0m)
        {
            return new OrderGroupUpdate(this, []);
        }

        if (exit.Status == OrderStatus.Filled)
        {
            return new OrderGroupUpdate(this, [new OrderGroupAction(OrderGroupActionKind.CancelOrder, sibling.OrderId, 0m)]);
        }

        var open = exit.Quantity - exit.FilledQuantity;
        return sibling.LeavesQuantity > open
            ? new OrderGroupUpdate(this, [new OrderGroupAction(OrderGroupActionKind.ResizeOrder, sibling.OrderId, sibling.FilledQuantity + open)])
            : new OrderGroupUpdate(this, []);
    }

    /// <summary>A cancel of the whole group: the entry and every child still working.</summary>
    public IReadOnlyList<OrderGroupAction> CancelAll(IEnumerable<Order> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return members.Where(o => o.Status.IsWorking())
            .Select(o => new OrderGroupAction(OrderGroupActionKind.CancelOrder, o.OrderId, 0m))
            .ToList();
    }
}
