namespace OrleansTrader.Domain.Risk;

/// <summary>Stable reason codes of pre-trade risk decisions. They are part of the API: never rename one.</summary>
public static class RiskReasonCodes
{
    public const string Approved = "APPROVED";
    public const string TradingHalted = "TRADING_HALTED";
    public const string ReduceOnlyWouldIncreasePosition = "REDUCE_ONLY_WOULD_INCREASE_POSITION";
    public const string InstrumentUnknown = "INSTRUMENT_UNKNOWN";
    public const string InstrumentNotTradable = "INSTRUMENT_NOT_TRADABLE";
    public const string QuantityInvalid = "QUANTITY_INVALID";
    public const string OrderInvalid = "ORDER_INVALID";
    public const string MarketClosed = "MARKET_CLOSED";
    public const string QuoteMissing = "QUOTE_MISSING";
    public const string QuoteStale = "QUOTE_STALE";
    public const string PriceOutsideBand = "PRICE_OUTSIDE_BAND";
    public const string NotionalExceedsMaxPerOrder = "NOTIONAL_EXCEEDS_MAX_PER_ORDER";
    public const string PositionExceedsMax = "POSITION_EXCEEDS_MAX";
    public const string MaxOpenOrders = "MAX_OPEN_ORDERS";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string InsufficientBuyingPower = "INSUFFICIENT_BUYING_POWER";
    public const string ShortingNotAllowed = "SHORTING_NOT_ALLOWED";

    /// <summary>Not produced by <see cref="RiskEngine"/>: the account answers a repeated client order id with the existing order before risk runs.</summary>
    public const string DuplicateClientOrderId = "DUPLICATE_CLIENT_ORDER_ID";

    /// <summary>A required input (account, valuation, equity, calendar, fee model, limits) was absent.</summary>
    public const string InputMissing = "INPUT_MISSING";

    /// <summary>A check threw; the order is denied rather than let through.</summary>
    public const string RiskCheckFailed = "RISK_CHECK_FAILED";

    /// <summary>The account's risk limits are invalid; every order is denied until they are fixed.</summary>
    public const string LimitsInvalid = "RISK_LIMITS_INVALID";
}
