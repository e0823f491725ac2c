namespace OrleansTrader.Domain.Orders;

/// <summary>The order life cycle (ARCHITECTURE.md, "Trading rules").</summary>
public enum OrderStatus
{
    /// <summary>Accepted by local risk and sent (or being sent) to the broker; no acknowledgement yet.</summary>
    PendingNew,
    Accepted,
    PartiallyFilled,
    Filled,
    PendingCancel,
    Canceled,
    PendingReplace,

    /// <summary>Superseded by a new order (a replace yields a new order).</summary>
    Replaced,

    /// <summary>Refused by the broker.</summary>
    Rejected,

    /// <summary>Refused by local pre-trade risk; nothing was sent.</summary>
    Denied,
    Expired,
}
