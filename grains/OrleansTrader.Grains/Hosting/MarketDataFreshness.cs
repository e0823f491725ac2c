using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Grains.Hosting;

/// <summary>How old market data counts as, by the trading calendar: the breaker's stale-data trigger and readiness share it.</summary>
internal static class MarketDataFreshness
{
    /// <summary>
    /// The time market data is judged stale from. A feed is silent while the market is closed: not judged then (null),
    /// and once the market has opened again its age counts from that open, not from the last print before the close.
    /// A calendar that cannot answer (a year it does not cover) judges the raw time, as a calendar-blind check would.
    /// </summary>
    public static DateTimeOffset? JudgedFrom(ITradingCalendar calendar, DateTimeOffset last, DateTimeOffset now)
    {
        try
        {
            if (!calendar.IsOpen(now, includeExtended: true))
            {
                return null;
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
}
