using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>The venue-neutral view of a paper order, with its bracket/OCO/OTO children as legs.</summary>
internal static class PaperOrderMapper
{
    public static BrokerOrder ToBroker(PaperOrderRecord record, Func<string, OrderGroup?> group, Func<string, PaperOrderRecord?> lookup)
    {
        var order = record.Order;
        var request = order.Request;
        IReadOnlyList<BrokerOrder> legs = [];
        if (record.GroupId is { } groupId && group(groupId) is { } g && IsParent(g, order.OrderId))
        {
            legs = [.. g.ChildOrderIds.Where(id => id != order.OrderId).Select(lookup).OfType<PaperOrderRecord>()
                .Select(child => ToBroker(child, _ => null, _ => null))];
        }

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
            StopPrice = request.StopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
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
