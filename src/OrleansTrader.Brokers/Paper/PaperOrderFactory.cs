using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// Turns a submitted request into the venue's orders: a simple order, or the parent plus its bracket/OCO/OTO children
/// linked by a domain <see cref="OrderGroup"/>. Bracket and OTO exits take the opposite side of the entry and are held
/// until it fills; an OCO is the take-profit limit itself plus a working stop-loss child on the same side (Alpaca's model).
/// </summary>
internal static class PaperOrderFactory
{
    public static string Create(PaperTransaction tx, OrderRequest request, ITradingCalendar calendar)
    {
        var entryId = PaperExchange.NewOrderId();
        var expires = OrderExpiry.For(request, tx.Now, calendar);

        // An OCO's submitted order is its take-profit: it works at the take-profit's limit (Alpaca's
        // take_profit.limit_price), the price the validator checked against the stop.
        var entryRequest = request.OrderClass == OrderClass.Oco && request.TakeProfit?.LimitPrice is { } target
            ? request with { LimitPrice = target }
            : request;
        var entry = Order.Create(entryId, entryRequest, tx.Now, expires);
        if (request.OrderClass == OrderClass.Simple)
        {
            tx.Add(entry, held: false, groupId: null);
            return entryId;
        }

        var groupId = entryId;
        tx.Add(entry, held: false, groupId);
        var exitSide = request.OrderClass == OrderClass.Oco ? request.Side : Opposite(request.Side);
        string? takeProfitId = null;
        if (request.TakeProfit is { } takeProfit && request.OrderClass != OrderClass.Oco)
        {
            takeProfitId = AddChild(tx, request, entryId, groupId, exitSide, OrderType.Limit, takeProfit.LimitPrice, null, expires, held: true);
        }

        string? stopLossId = null;
        if (request.StopLoss is { } stopLoss)
        {
            var type = stopLoss.LimitPrice is null ? OrderType.Stop : OrderType.StopLimit;
            var held = request.OrderClass != OrderClass.Oco;
            stopLossId = AddChild(tx, request, entryId, groupId, exitSide, type, stopLoss.LimitPrice, stopLoss.StopPrice, expires, held);
        }

        var group = request.OrderClass == OrderClass.Oco
            ? OrderGroup.Create(groupId, OrderClass.Oco, null, entryId, stopLossId)
            : OrderGroup.Create(groupId, request.OrderClass, entryId, takeProfitId, stopLossId);
        tx.AddGroup(group);
        return entryId;
    }

    private static string AddChild(PaperTransaction tx, OrderRequest parent, string parentId, string groupId, OrderSide side, OrderType type,
        decimal? limit, decimal? stop, DateTimeOffset? expires, bool held)
    {
        var childId = PaperExchange.NewOrderId();
        var request = new OrderRequest
        {
            ClientOrderId = childId,
            Symbol = parent.Symbol,
            Side = side,
            Type = type,
            Quantity = parent.Quantity,
            LimitPrice = limit,
            StopPrice = stop,
            TimeInForce = parent.TimeInForce,
        };
        tx.Add(Order.Create(childId, request, tx.Now, expires, parentId), held, groupId);
        return childId;
    }

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
}
