namespace OrleansTrader.Domain.Orders;

/// <summary>Stable reason codes carried by <see cref="InvalidOrderTransition"/>.</summary>
public static class OrderTransitionReasons
{
    public const string OrderIsFinal = "ORDER_IS_FINAL";
    public const string AlreadySubmitted = "ALREADY_SUBMITTED";
    public const string AlreadyAcknowledged = "ALREADY_ACKNOWLEDGED";
    public const string NotAcknowledged = "NOT_ACKNOWLEDGED";
    public const string NoCancelPending = "NO_CANCEL_PENDING";
    public const string NoReplacePending = "NO_REPLACE_PENDING";
    public const string CancelAlreadyPending = "CANCEL_ALREADY_PENDING";
    public const string ReplaceAlreadyPending = "REPLACE_ALREADY_PENDING";
    public const string AlreadySent = "ALREADY_SENT";
    public const string PartiallyFilled = "PARTIALLY_FILLED";
}
