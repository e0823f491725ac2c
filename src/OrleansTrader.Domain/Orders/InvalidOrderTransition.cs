namespace OrleansTrader.Domain.Orders;

/// <summary>A (state, event) pair the order life cycle does not allow, with a stable reason code.</summary>
public sealed record InvalidOrderTransition(OrderStatus From, OrderEvent Event, string Reason)
{
    public DomainError ToError() => new(Reason, $"Event {Event} is not allowed in state {From}.");
}
