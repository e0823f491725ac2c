namespace OrleansTrader.Domain.Orders;

/// <summary>
/// Replace and cancel rules. A replace yields a new order that supersedes the old one (Alpaca's model): the old order
/// ends Replaced, and the new order's quantity is the new total minus what the old order already filled, so the
/// position never receives more than the new total. The new total may never be below the filled quantity (and must
/// leave something to fill); final orders can be neither replaced nor canceled.
/// </summary>
public static class OrderReplaceRules
{
    public static DomainError? CheckCancel(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var transition = OrderStateMachine.Apply(order.Status, OrderEvent.CancelRequest, order.FilledQuantity > 0m);
        return transition.IsAllowed ? null : transition.Rejection!.ToError();
    }

    public static DomainError? CheckReplace(Order order, OrderReplacement replacement)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(replacement);
        var transition = OrderStateMachine.Apply(order.Status, OrderEvent.ReplaceRequest, order.FilledQuantity > 0m);
        if (!transition.IsAllowed)
        {
            return transition.Rejection!.ToError();
        }

        if (replacement.Quantity is { } total)
        {
            if (total < order.FilledQuantity)
            {
                return new DomainError(OrderErrorCodes.ReplaceQuantityBelowFilled,
                    $"New quantity {total} is below the {order.FilledQuantity} already filled.");
            }

            if (total == order.FilledQuantity)
            {
                return new DomainError(OrderErrorCodes.ReplaceLeavesNothing,
                    "New quantity equals the filled quantity; cancel the order instead.");
            }
        }

        // A field given with the value the order already has changes nothing: such a replace would only cancel the order
        // for an identical one (losing its place in the queue and counting as a submit).
        var request = order.Request;
        var changes = Differs(replacement.Quantity, request.Quantity)
            || Differs(replacement.LimitPrice, request.LimitPrice)
            || Differs(replacement.StopPrice, request.StopPrice)
            || Differs(replacement.TrailPrice, request.TrailPrice)
            || Differs(replacement.TrailPercent, request.TrailPercent)
            || (replacement.TimeInForce is { } timeInForce && timeInForce != request.TimeInForce);
        if (!changes)
        {
            return new DomainError(OrderErrorCodes.ReplaceNoChange, "A replace must change at least one field.");
        }

        return null;
    }

    private static bool Differs(decimal? given, decimal? current) => given is { } value && value != current;

    /// <summary>The request of the superseding order; validate it with <see cref="OrderValidator"/> and risk as a new order.</summary>
    public static OrderRequest BuildReplacementRequest(Order order, OrderReplacement replacement, string newClientOrderId)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(replacement);
        var request = order.Request;

        // A trailing stop has one kind of trail: a new trail of the other kind replaces it (else the request holds both).
        var trailPrice = replacement.TrailPrice ?? (replacement.TrailPercent is null ? request.TrailPrice : null);
        var trailPercent = replacement.TrailPercent ?? (replacement.TrailPrice is null ? request.TrailPercent : null);
        return request with
        {
            ClientOrderId = replacement.ClientOrderId ?? newClientOrderId,
            Quantity = (replacement.Quantity ?? request.Quantity) - order.FilledQuantity,
            LimitPrice = replacement.LimitPrice ?? request.LimitPrice,
            StopPrice = replacement.StopPrice ?? request.StopPrice,
            TrailPrice = trailPrice,
            TrailPercent = trailPercent,
            TimeInForce = replacement.TimeInForce ?? request.TimeInForce,
        };
    }
}
