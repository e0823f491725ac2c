namespace OrleansTrader.Domain.Portfolio;

public static class LedgerErrorCodes
{
    public const string ReservationExists = "RESERVATION_EXISTS";
    public const string ReservationInvalid = "RESERVATION_INVALID";
    public const string MarkMissing = "MARK_MISSING";
    public const string MarkInvalid = "MARK_INVALID";

    /// <summary>The account's amounts at its marks (a position's value, or their sums) are beyond what a decimal holds.</summary>
    public const string ValuationOverflow = "VALUATION_OVERFLOW";
}
