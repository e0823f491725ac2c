using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Domain.Orders;

public static class OrderExpiry
{
    private const int MaxSearchDays = 14;

    /// <summary>
    /// When an order accepted at <paramref name="acceptedAt"/> expires: DAY orders at the next regular close of the
    /// calendar (the same day's close during the session; the next session's close outside it), others never.
    /// </summary>
    public static DateTimeOffset? For(TimeInForce timeInForce, DateTimeOffset acceptedAt, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return timeInForce == TimeInForce.Day ? calendar.NextClose(acceptedAt) : null;
    }

    /// <summary>
    /// As <see cref="For(TimeInForce, DateTimeOffset, ITradingCalendar)"/>, except that a DAY order eligible for
    /// extended hours expires at the end of the after-hours session (Alpaca's rule).
    /// </summary>
    public static DateTimeOffset? For(OrderRequest request, DateTimeOffset acceptedAt, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(calendar);
        if (request.TimeInForce != TimeInForce.Day || !request.ExtendedHours)
        {
            return For(request.TimeInForce, acceptedAt, calendar);
        }

        // From the calendar's own date of the instant. The search began the day before its UTC date, which on the NYSE
        // calendar's first covered day (2013-01-01) lay outside its years: an order accepted that day was refused.
        var date = calendar.TradingDate(acceptedAt);
        for (var i = 0; i < MaxSearchDays; i++, date = date.AddDays(1))
        {
            if (calendar.GetSession(date) is { } session && session.ExtendedClose > acceptedAt)
            {
                return session.ExtendedClose;
            }
        }

        throw new InvalidOperationException($"No session found within {MaxSearchDays} days after {acceptedAt:O}.");
    }
}
