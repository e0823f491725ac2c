namespace OrleansTrader.Domain.Orders;

/// <summary>The outcome of applying an event to a status: the new status, or the typed rejection.</summary>
public sealed record OrderTransition
{
    public OrderStatus? To { get; init; }

    public InvalidOrderTransition? Rejection { get; init; }

    public bool IsAllowed => Rejection is null;

    public static OrderTransition Allowed(OrderStatus to) => new() { To = to };

    public static OrderTransition Rejected(OrderStatus from, OrderEvent evt, string reason) =>
        new() { Rejection = new InvalidOrderTransition(from, evt, reason) };
}
