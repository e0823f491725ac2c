using System.Collections.Frozen;

namespace OrleansTrader.Domain.Orders;

/// <summary>
/// The order life cycle as an explicit table. Every (state, event) pair is either listed as a transition or
/// answered with a typed <see cref="InvalidOrderTransition"/>; nothing falls through to a default.
/// Every order starts in PendingNew. Fills while a cancel or replace is pending keep the pending state, and a
/// rejected cancel or replace returns to the working state that matches the fills so far, which is why
/// <see cref="Apply"/> takes <c>hasFills</c>.
/// </summary>
public static class OrderStateMachine
{
    /// <summary>Marks the transitions whose target is "back to working": Accepted, or PartiallyFilled when filled.</summary>
    private const OrderStatus Working = (OrderStatus)(-1);

    private static readonly FrozenDictionary<(OrderStatus, OrderEvent), OrderStatus> Table =
        new Dictionary<(OrderStatus, OrderEvent), OrderStatus>
        {
            [(OrderStatus.PendingNew, OrderEvent.Submit)] = OrderStatus.PendingNew,
            [(OrderStatus.PendingNew, OrderEvent.Accept)] = OrderStatus.Accepted,
            [(OrderStatus.PendingNew, OrderEvent.PartialFill)] = OrderStatus.PartiallyFilled,
            [(OrderStatus.PendingNew, OrderEvent.Fill)] = OrderStatus.Filled,
            [(OrderStatus.PendingNew, OrderEvent.CancelRequest)] = OrderStatus.PendingCancel,
            [(OrderStatus.PendingNew, OrderEvent.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.PendingNew, OrderEvent.Reject)] = OrderStatus.Rejected,
            [(OrderStatus.PendingNew, OrderEvent.Deny)] = OrderStatus.Denied,
            [(OrderStatus.PendingNew, OrderEvent.Expire)] = OrderStatus.Expired,

            [(OrderStatus.Accepted, OrderEvent.Accept)] = OrderStatus.Accepted,
            [(OrderStatus.Accepted, OrderEvent.PartialFill)] = OrderStatus.PartiallyFilled,
            [(OrderStatus.Accepted, OrderEvent.Fill)] = OrderStatus.Filled,
            [(OrderStatus.Accepted, OrderEvent.CancelRequest)] = OrderStatus.PendingCancel,
            [(OrderStatus.Accepted, OrderEvent.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.Accepted, OrderEvent.ReplaceRequest)] = OrderStatus.PendingReplace,
            [(OrderStatus.Accepted, OrderEvent.Reject)] = OrderStatus.Rejected,
            [(OrderStatus.Accepted, OrderEvent.Expire)] = OrderStatus.Expired,

            [(OrderStatus.PartiallyFilled, OrderEvent.PartialFill)] = OrderStatus.PartiallyFilled,
            [(OrderStatus.PartiallyFilled, OrderEvent.Fill)] = OrderStatus.Filled,
            [(OrderStatus.PartiallyFilled, OrderEvent.CancelRequest)] = OrderStatus.PendingCancel,
            [(OrderStatus.PartiallyFilled, OrderEvent.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.PartiallyFilled, OrderEvent.ReplaceRequest)] = OrderStatus.PendingReplace,
            [(OrderStatus.PartiallyFilled, OrderEvent.Expire)] = OrderStatus.Expired,

            [(OrderStatus.PendingCancel, OrderEvent.Accept)] = OrderStatus.PendingCancel,
            [(OrderStatus.PendingCancel, OrderEvent.PartialFill)] = OrderStatus.PendingCancel,
            [(OrderStatus.PendingCancel, OrderEvent.Fill)] = OrderStatus.Filled,
            [(OrderStatus.PendingCancel, OrderEvent.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.PendingCancel, OrderEvent.CancelRejected)] = Working,
            [(OrderStatus.PendingCancel, OrderEvent.Reject)] = OrderStatus.Rejected,
            [(OrderStatus.PendingCancel, OrderEvent.Expire)] = OrderStatus.Expired,

            [(OrderStatus.PendingReplace, OrderEvent.PartialFill)] = OrderStatus.PendingReplace,
            [(OrderStatus.PendingReplace, OrderEvent.Fill)] = OrderStatus.Filled,
            [(OrderStatus.PendingReplace, OrderEvent.Replaced)] = OrderStatus.Replaced,
            [(OrderStatus.PendingReplace, OrderEvent.ReplaceRejected)] = Working,
            [(OrderStatus.PendingReplace, OrderEvent.Canceled)] = OrderStatus.Canceled,
            [(OrderStatus.PendingReplace, OrderEvent.Expire)] = OrderStatus.Expired,
        }.ToFrozenDictionary();

    public static OrderTransition Apply(OrderStatus current, OrderEvent evt, bool hasFills = false)
    {
        if (current.IsFinal())
        {
            return OrderTransition.Rejected(current, evt, OrderTransitionReasons.OrderIsFinal);
        }

        if (Table.TryGetValue((current, evt), out var to))
        {
            var resolved = to == Working ? (hasFills ? OrderStatus.PartiallyFilled : OrderStatus.Accepted) : to;
            return OrderTransition.Allowed(resolved);
        }

        return OrderTransition.Rejected(current, evt, ReasonFor(current, evt));
    }

    private static string ReasonFor(OrderStatus current, OrderEvent evt) => evt switch
    {
        OrderEvent.Submit => OrderTransitionReasons.AlreadySubmitted,
        OrderEvent.Accept => OrderTransitionReasons.AlreadyAcknowledged,
        OrderEvent.Deny => OrderTransitionReasons.AlreadySent,
        OrderEvent.CancelRejected => OrderTransitionReasons.NoCancelPending,
        OrderEvent.Replaced or OrderEvent.ReplaceRejected => OrderTransitionReasons.NoReplacePending,
        OrderEvent.CancelRequest or OrderEvent.ReplaceRequest when current == OrderStatus.PendingCancel =>
            OrderTransitionReasons.CancelAlreadyPending,
        OrderEvent.CancelRequest or OrderEvent.ReplaceRequest when current == OrderStatus.PendingReplace =>
            OrderTransitionReasons.ReplaceAlreadyPending,
        OrderEvent.ReplaceRequest => OrderTransitionReasons.NotAcknowledged,
        OrderEvent.Reject when current == OrderStatus.PartiallyFilled => OrderTransitionReasons.PartiallyFilled,
        _ => OrderTransitionReasons.AlreadyAcknowledged,
    };
}
