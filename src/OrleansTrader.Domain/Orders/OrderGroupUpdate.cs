namespace OrleansTrader.Domain.Orders;

public sealed record OrderGroupUpdate(OrderGroup Group, IReadOnlyList<OrderGroupAction> Actions);
