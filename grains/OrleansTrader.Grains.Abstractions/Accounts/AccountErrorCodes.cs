namespace OrleansTrader.Grains.Abstractions;

/// <summary>Error codes of account commands (besides the domain's risk reason codes).</summary>
public static class AccountErrorCodes
{
    public const string NotOpen = "ACCOUNT_NOT_OPEN";
    public const string AlreadyOpen = "ACCOUNT_ALREADY_OPEN";
    public const string Invalid = "ACCOUNT_INVALID";
    public const string BrokerUnavailable = "BROKER_UNAVAILABLE";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string OrderNotCancelable = "ORDER_NOT_CANCELABLE";
    public const string OrderNotReplaceable = "ORDER_NOT_REPLACEABLE";
    public const string PositionFlat = "POSITION_FLAT";
    public const string BrokerRejected = "BROKER_REJECTED";
    public const string BrokerError = "BROKER_ERROR";

    /// <summary>Cash moves only in and out of paper accounts; a broker's account is funded at the broker.</summary>
    public const string TransfersNotSupported = "TRANSFERS_NOT_SUPPORTED";

    /// <summary>The transfer id was used before for another amount.</summary>
    public const string TransferIdReused = "TRANSFER_ID_REUSED";

    /// <summary>A withdrawal of more than the cash that working orders and positions leave free.</summary>
    public const string InsufficientCash = "INSUFFICIENT_CASH";

    /// <summary>A deposit that would take the cash above <see cref="CashTransferRules.MaxCash"/>.</summary>
    public const string CashLimit = "CASH_LIMIT";

    /// <summary>The risk limits or breaker policy a change was merged into were changed meanwhile; nothing was changed.</summary>
    public const string SettingsChanged = "ACCOUNT_SETTINGS_CHANGED";
}
