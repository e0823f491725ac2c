namespace OrleansTrader.Domain.Orders;

/// <summary>What the account must do to keep a bracket/OCO/OTO group consistent.</summary>
public sealed record OrderGroupAction(OrderGroupActionKind Kind, string OrderId, decimal Quantity);
