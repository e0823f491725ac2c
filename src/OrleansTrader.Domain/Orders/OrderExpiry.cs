using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Domain.Orders;

public static class OrderExpiry
{
    /// <summary>
    /// When an order accepted at <paramref name="acceptedAt"/> expires: DAY orders at the next regular close of the
    /// calendar (the same day's close during the session; the next session's close outside it), others never.
    /// </summary>
    public static DateTimeOffset? For(TimeInForce timeInForce, DateTimeOffset acceptedAt, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return timeInForce == TimeInForce.Day ? calendar.NextClose(acceptedAt) : null;
    }
}
