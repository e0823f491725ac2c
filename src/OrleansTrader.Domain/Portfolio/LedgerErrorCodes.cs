namespace OrleansTrader.Domain.Portfolio;

public static class LedgerErrorCodes
{
    public const string ReservationExists = "RESERVATION_EXISTS";
    public const string ReservationInvalid = "RESERVATION_INVALID";
    public const string MarkMissing = "MARK_MISSING";
    public const string MarkInvalid = "MARK_INVALID";
}
