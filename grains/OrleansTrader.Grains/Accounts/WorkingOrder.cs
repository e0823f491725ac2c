using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Accounts;

/// <summary>A working order: the domain order plus what the account knows about it at the broker.</summary>
internal sealed record WorkingOrder
{
    public required Order Order { get; init; }

    public string? BrokerOrderId { get; init; }

    /// <summary>The broker's answer to the submit is unknown; reconciliation looks the order up by client order id.</summary>
    public bool InFlight { get; init; }

    public required string Origin { get; init; }

    /// <summary>
    /// The reservation this order's fills draw from when it is not the order's own: an exit of a bracket or OTO shares
    /// <c>{entryOrderId}-exits</c> with its sibling, an OCO's stop-loss shares its parent's (only one exit can close the
    /// position, so the pair holds it once).
    /// </summary>
    public string? ReservationId { get; init; }
}
