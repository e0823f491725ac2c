using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Grains.Hosting;

/// <summary>How old market data counts as, by the trading calendar and the feed's hours: the breaker's stale-data trigger and readiness share it.</summary>
internal static class MarketDataFreshness
{
    /// <summary>
    /// The time market data is judged stale from. A feed is silent while the market is closed, and outside its own hours
    /// (<see cref="FeedHours"/>; IEX before 08:00 and after 17:00): not judged then (null), and once its hours have begun
    /// again its age counts from their start, not from the last print before.
    /// A calendar that cannot answer (a year it does not cover) judges the raw time, as a calendar-blind check would.
    /// </summary>
    public static DateTimeOffset? JudgedFrom(ITradingCalendar calendar, FeedHours hours, DateTimeOffset last, DateTimeOffset now)
    {
        try
        {
            if (!calendar.IsOpen(now, includeExtended: true))
            {
                return null;
            }

            if (calendar is NyseCalendar && hours != FeedHours.ExtendedSession)
            {
                return JudgedWithinTheFeedsHours(calendar, hours, last, now);
            }

            // The latest open after the last data that followed a closed period (only the latest counts; a week back is
            // enough to find it). An always-open calendar's midnight "open" follows no closed period and is skipped.
            var from = last;
            var open = calendar.NextOpen(last > now - TimeSpan.FromDays(7) ? last : now - TimeSpan.FromDays(7), includeExtended: true);
            while (open <= now)
            {
                if (open > from && !calendar.IsOpen(open - TimeSpan.FromTicks(1), includeExtended: true))
                {
                    from = open;
                }

                open = calendar.NextOpen(open, includeExtended: true);
            }

            return from;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            return last;
        }
    }

    /// <summary>
    /// Today's hours of the feed, a window of one New York trading day: outside it null, inside it from its start or the
    /// last data after that (the window never spans a night, so today's start is the latest one).
    /// </summary>
    private static DateTimeOffset? JudgedWithinTheFeedsHours(ITradingCalendar calendar, FeedHours hours, DateTimeOffset last, DateTimeOffset now)
    {
        if (calendar.GetSession(NyseCalendar.ExchangeDate(now)) is not { } session)
        {
            return null;
        }

        var start = hours.From is { } from ? Later(session.ExtendedOpen, NyseCalendar.ToUtc(session.Date, from)) : session.ExtendedOpen;
        var end = session.ExtendedClose;
        if (hours.Until is { } until)
        {
            // On an early close a window's end is cut to the regular close (13:00): what the venue does after it is not assumed.
            end = Earlier(end, NyseCalendar.ToUtc(session.Date, until));
            end = session.IsEarlyClose ? Earlier(end, session.RegularClose) : end;
        }

        if (now < start || now >= end)
        {
            return null;
        }

        return Later(last, start);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
