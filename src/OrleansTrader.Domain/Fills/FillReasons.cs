namespace OrleansTrader.Domain.Fills;

/// <summary>Stable reason strings of <see cref="FillDecision"/>.</summary>
public static class FillReasons
{
    public const string Filled = "FILLED";
    public const string PartiallyFilled = "PARTIALLY_FILLED";
    public const string QuoteMissing = "QUOTE_MISSING";
    public const string NotTriggered = "STOP_NOT_TRIGGERED";
    public const string NotCrossed = "LIMIT_NOT_CROSSED";
    public const string NothingAvailable = "NOTHING_AVAILABLE";
    public const string IocRemainderCanceled = "IOC_REMAINDER_CANCELED";
    public const string FokNotFillable = "FOK_NOT_FILLABLE";
    public const string DayExpired = "DAY_EXPIRED";
    public const string AuctionPending = "AUCTION_PENDING";
    public const string AuctionLimitNotMet = "AUCTION_LIMIT_NOT_MET";
    public const string NothingLeft = "NOTHING_LEFT";
}
