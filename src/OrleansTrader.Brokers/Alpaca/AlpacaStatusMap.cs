using System.Collections.Frozen;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// The one table from Alpaca's order statuses and trade_updates events to the venue-neutral vocabulary.
/// Every documented value maps to exactly one outcome; anything else is reported as unknown (the Try methods
/// return false) and the caller handles it conservatively: never as a fill. Reasoning: docs/alpaca.md.
/// </summary>
public static class AlpacaStatusMap
{
    /// <summary>Every documented Alpaca order status.</summary>
    public static readonly FrozenDictionary<string, OrderStatus> OrderStatuses = new Dictionary<string, OrderStatus>(StringComparer.Ordinal)
    {
        ["new"] = OrderStatus.Accepted,
        ["accepted"] = OrderStatus.Accepted,
        ["pending_new"] = OrderStatus.PendingNew,
        ["accepted_for_bidding"] = OrderStatus.Accepted,
        ["partially_filled"] = OrderStatus.PartiallyFilled,
        ["filled"] = OrderStatus.Filled,
        ["done_for_day"] = OrderStatus.Accepted,
        ["canceled"] = OrderStatus.Canceled,
        ["expired"] = OrderStatus.Expired,
        ["replaced"] = OrderStatus.Replaced,
        ["pending_cancel"] = OrderStatus.PendingCancel,
        ["pending_replace"] = OrderStatus.PendingReplace,
        ["stopped"] = OrderStatus.Accepted,
        ["rejected"] = OrderStatus.Rejected,
        ["suspended"] = OrderStatus.Accepted,
        ["calculated"] = OrderStatus.Accepted,
        ["held"] = OrderStatus.Accepted,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every documented trade_updates event.</summary>
    public static readonly FrozenDictionary<string, ExecutionReportKind> Events = new Dictionary<string, ExecutionReportKind>(StringComparer.Ordinal)
    {
        ["new"] = ExecutionReportKind.Accepted,
        ["accepted"] = ExecutionReportKind.Accepted,
        ["pending_new"] = ExecutionReportKind.PendingNew,
        ["partial_fill"] = ExecutionReportKind.PartialFill,
        ["fill"] = ExecutionReportKind.Fill,
        ["canceled"] = ExecutionReportKind.Canceled,
        ["expired"] = ExecutionReportKind.Expired,
        ["done_for_day"] = ExecutionReportKind.StatusChanged,
        ["replaced"] = ExecutionReportKind.Replaced,
        ["rejected"] = ExecutionReportKind.Rejected,
        ["stopped"] = ExecutionReportKind.StatusChanged,
        ["pending_cancel"] = ExecutionReportKind.PendingCancel,
        ["pending_replace"] = ExecutionReportKind.PendingReplace,
        ["calculated"] = ExecutionReportKind.StatusChanged,
        ["suspended"] = ExecutionReportKind.StatusChanged,
        ["order_replace_rejected"] = ExecutionReportKind.ReplaceRejected,
        ["order_cancel_rejected"] = ExecutionReportKind.CancelRejected,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool TryMapOrderStatus(string? status, out OrderStatus mapped)
    {
        if (status is not null && OrderStatuses.TryGetValue(status, out mapped))
        {
            return true;
        }

        mapped = default;
        return false;
    }

    public static bool TryMapEvent(string? eventName, out ExecutionReportKind mapped)
    {
        if (eventName is not null && Events.TryGetValue(eventName, out mapped))
        {
            return true;
        }

        mapped = default;
        return false;
    }

    /// <summary>
    /// The status an order with an unknown Alpaca status is given: still working (so nothing is released and
    /// reconciliation looks at it), never filled, canceled or rejected.
    /// </summary>
    public static OrderStatus UnknownStatusFallback(decimal filledQuantity) =>
        filledQuantity > 0m ? OrderStatus.PartiallyFilled : OrderStatus.Accepted;

    /// <summary>The report kind that announces an order found in <paramref name="status"/> during a re-check.</summary>
    public static ExecutionReportKind KindForStatus(OrderStatus status) => status switch
    {
        OrderStatus.PendingNew => ExecutionReportKind.PendingNew,
        OrderStatus.PendingCancel => ExecutionReportKind.PendingCancel,
        OrderStatus.Canceled => ExecutionReportKind.Canceled,
        OrderStatus.PendingReplace => ExecutionReportKind.PendingReplace,
        OrderStatus.Replaced => ExecutionReportKind.Replaced,
        OrderStatus.Rejected => ExecutionReportKind.Rejected,
        OrderStatus.Expired => ExecutionReportKind.Expired,
        OrderStatus.Accepted => ExecutionReportKind.Accepted,

        // Fills travel only as executions (from the stream or the activities back-fill), never as a bare status.
        _ => ExecutionReportKind.StatusChanged,
    };

    public static bool IsTerminal(OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Replaced or OrderStatus.Rejected
            or OrderStatus.Expired or OrderStatus.Denied;
}
