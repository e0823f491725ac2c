namespace OrleansTrader.Domain.Orders;

/// <summary>Everything that can happen to an order; <see cref="OrderStateMachine"/> says what each does in each state.</summary>
public enum OrderEvent
{
    /// <summary>The order is sent to the broker (a PendingNew order stays PendingNew until acknowledged).</summary>
    Submit,
    Accept,
    PartialFill,
    Fill,
    CancelRequest,
    Canceled,
    CancelRejected,
    ReplaceRequest,
    Replaced,
    ReplaceRejected,

    /// <summary>Refused by the broker.</summary>
    Reject,

    /// <summary>Refused by local risk before anything was sent.</summary>
    Deny,
    Expire,
}
