using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>The venue-neutral view of a paper order, with its bracket/OCO/OTO children as legs.</summary>
internal static class PaperOrderMapper
{
    /// <summary>An order without its legs (an archived order, or a leg itself).</summary>
    public static BrokerOrder ToBroker(PaperOrderRecord record) => ToBroker(record, []);

    /// <summary>
    /// An order with its legs looked up in <paramref name="groups"/> and <paramref name="orders"/>. Dictionaries rather
    /// than lookup delegates: a view is built for every report, and bound delegates were two allocations each time.
    /// </summary>
    public static BrokerOrder ToBroker(
        PaperOrderRecord record, IReadOnlyDictionary<string, OrderGroup> groups, IReadOnlyDictionary<string, PaperOrderRecord> orders)
    {
        var order = record.Order;
        IReadOnlyList<BrokerOrder> legs = [];
        if (record.GroupId is { } groupId && groups.TryGetValue(groupId, out var g) && IsParent(g, order.OrderId))
        {
            legs = [.. g.ChildOrderIds.Where(id => id != order.OrderId).Select(orders.GetValueOrDefault).OfType<PaperOrderRecord>()
                .Select(child => ToBroker(child))];
        }

        return ToBroker(record, legs);
    }

    private static BrokerOrder ToBroker(PaperOrderRecord record, IReadOnlyList<BrokerOrder> legs)
    {
        var order = record.Order;
        var request = order.Request;

        // A trailing stop's level moves with the trades the venue sees; the record's matching state holds the water mark.
        var mark = request.Type == OrderType.TrailingStop ? record.Matching?.WaterMark : null;
        return new BrokerOrder
        {
            OrderId = order.OrderId,
            ClientOrderId = order.ClientOrderId,
            Symbol = order.Symbol,
            Side = request.Side,
            Type = request.Type,
            TimeInForce = request.TimeInForce,
            OrderClass = request.OrderClass,
            Quantity = request.Quantity,
            FilledQuantity = order.FilledQuantity,
            AverageFillPrice = order.AverageFillPrice,
            LimitPrice = request.LimitPrice,
            StopPrice = mark is null ? request.StopPrice : record.Matching!.TrailingStopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
            HighWaterMark = mark,
            Status = order.Status,
            CreatedAt = order.CreatedAt,
            UpdatedAt = order.UpdatedAt,
            ReplacedByOrderId = order.ReplacedByOrderId,
            ReplacesOrderId = order.ReplacesOrderId,
            ParentOrderId = order.ParentOrderId,
            Legs = legs,
            Reason = order.StatusReason,
        };
    }

    /// <summary>The order the client submitted: the entry of a bracket/OTO, the take-profit of an OCO.</summary>
    public static bool IsParent(OrderGroup group, string orderId) =>
        group.EntryOrderId == orderId || (group.OrderClass == OrderClass.Oco && group.TakeProfitOrderId == orderId);
}
