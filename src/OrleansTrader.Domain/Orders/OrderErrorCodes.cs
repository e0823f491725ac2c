namespace OrleansTrader.Domain.Orders;

/// <summary>Stable reason codes for order validation and replace/cancel rules.</summary>
public static class OrderErrorCodes
{
    public const string ClientOrderIdInvalid = "CLIENT_ORDER_ID_INVALID";

    /// <summary>A client order id the broker holds for an earlier order that the account no longer remembers.</summary>
    public const string ClientOrderIdReused = "CLIENT_ORDER_ID_REUSED";
    public const string SymbolInvalid = "SYMBOL_INVALID";
    public const string SymbolMismatch = "SYMBOL_MISMATCH";
    public const string QuantityNotPositive = "QUANTITY_NOT_POSITIVE";
    public const string QuantityBelowMinimum = "QUANTITY_BELOW_MINIMUM";
    public const string QuantityAboveMaximum = "QUANTITY_ABOVE_MAXIMUM";
    public const string QuantityNotLotMultiple = "QUANTITY_NOT_LOT_MULTIPLE";
    public const string FractionalNotAllowed = "FRACTIONAL_NOT_ALLOWED";
    public const string FractionalOrderShape = "FRACTIONAL_ORDER_SHAPE";
    public const string LimitPriceRequired = "LIMIT_PRICE_REQUIRED";
    public const string LimitPriceNotAllowed = "LIMIT_PRICE_NOT_ALLOWED";
    public const string StopPriceRequired = "STOP_PRICE_REQUIRED";
    public const string StopPriceNotAllowed = "STOP_PRICE_NOT_ALLOWED";
    public const string TrailRequired = "TRAIL_REQUIRED";
    public const string TrailNotAllowed = "TRAIL_NOT_ALLOWED";
    public const string TrailPercentOutOfRange = "TRAIL_PERCENT_OUT_OF_RANGE";
    public const string PriceNotPositive = "PRICE_NOT_POSITIVE";
    public const string PriceNotTickAligned = "PRICE_NOT_TICK_ALIGNED";
    public const string TimeInForceNotAllowed = "TIME_IN_FORCE_NOT_ALLOWED";
    public const string ExtendedHoursNotAllowed = "EXTENDED_HOURS_NOT_ALLOWED";
    public const string ExitLegsInvalid = "EXIT_LEGS_INVALID";
    public const string OrderClassNotAllowed = "ORDER_CLASS_NOT_ALLOWED";
    public const string ReplaceQuantityBelowFilled = "REPLACE_QUANTITY_BELOW_FILLED";
    public const string ReplaceLeavesNothing = "REPLACE_LEAVES_NOTHING";
    public const string ReplaceNoChange = "REPLACE_NO_CHANGE";
    public const string PriceAboveMaximum = "PRICE_ABOVE_MAXIMUM";
    public const string FillRequiresExecution = "FILL_REQUIRES_EXECUTION";
}
