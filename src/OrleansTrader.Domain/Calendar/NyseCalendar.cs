namespace OrleansTrader.Domain.Calendar;

/// <summary>
/// The US equity calendar in America/New_York time: pre-market 04:00-09:30, regular 09:30-16:00 (13:00 on early
/// closes), after-hours until 20:00 (17:00 on early closes), converted to UTC with the IANA zone so DST is exact.
/// Covers <see cref="NyseHolidays.FirstYear"/> to <see cref="NyseHolidays.LastYear"/>; asking about any other year
/// throws rather than guessing a schedule.
/// </summary>
public sealed class NyseCalendar : ITradingCalendar
{
    private static readonly TimeOnly ExtendedOpenTime = new(4, 0);
    private static readonly TimeOnly RegularOpenTime = new(9, 30);
    private static readonly TimeOnly RegularCloseTime = new(16, 0);
    private static readonly TimeOnly EarlyCloseTime = new(13, 0);
    private static readonly TimeOnly ExtendedCloseTime = new(20, 0);
    private static readonly TimeOnly EarlyExtendedCloseTime = new(17, 0);

    /// <summary>How far the next-open/close search looks; the longest US market closure in the covered years is 4 days.</summary>
    private const int MaxSearchDays = 14;

    // The exchange day last asked about, by its UTC bounds: the paper venue asks IsOpen and OpenedAt for every order it
    // evaluates, all at one clock on one day, and each call converted the time and built the day's session again.
    private DayCache? _day;

    private NyseCalendar()
    {
    }

    public static NyseCalendar Instance { get; } = new();

    public static TimeZoneInfo NewYork { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static DateOnly ExchangeDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, NewYork).DateTime);

    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    public bool IsHoliday(DateOnly date)
    {
        EnsureCovered(date);
        return NyseHolidays.Holidays.Contains(date);
    }

    public TradingSession? GetSession(DateOnly date)
    {
        EnsureCovered(date);
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || NyseHolidays.Holidays.Contains(date))
        {
            return null;
        }

        var early = NyseHolidays.EarlyCloses.Contains(date);
        return new TradingSession(
            date,
            ToUtc(date, ExtendedOpenTime),
            ToUtc(date, RegularOpenTime),
            ToUtc(date, early ? EarlyCloseTime : RegularCloseTime),
            ToUtc(date, early ? EarlyExtendedCloseTime : ExtendedCloseTime),
            early);
    }

    public bool IsOpen(DateTimeOffset at, bool includeExtended) =>
        SessionOfDay(at)?.IsOpen(at, includeExtended) ?? false;

    public DateTimeOffset NextClose(DateTimeOffset after) => Search(after, s => s.RegularClose);

    public DateTimeOffset NextOpen(DateTimeOffset after, bool includeExtended = false) =>
        Search(after, s => includeExtended ? s.ExtendedOpen : s.RegularOpen);

    public DateTimeOffset? LastClose(DateTimeOffset at, bool includeExtended = false)
    {
        var date = ExchangeDate(at);
        for (var i = 0; i < MaxSearchDays; i++, date = date.AddDays(-1))
        {
            if (GetSession(date) is { } session && (includeExtended ? session.ExtendedClose : session.RegularClose) is var close && close <= at)
            {
                return close;
            }
        }

        throw new InvalidOperationException($"No session found within {MaxSearchDays} days before {at:O}.");
    }

    public DateTimeOffset? OpenedAt(DateTimeOffset at, bool includeExtended = false) =>
        SessionOfDay(at) is { } session && session.IsOpen(at, includeExtended)
            ? includeExtended ? session.ExtendedOpen : session.RegularOpen
            : null;

    /// <summary>
    /// The New York date, which is also the trade date: its midnight falls in the overnight gap (20:00-04:00), so a
    /// day never splits a session, where UTC midnight (19:00 or 20:00 New York) is in the after-hours one.
    /// </summary>
    public DateOnly TradingDate(DateTimeOffset at) => ExchangeDate(at);

    public DateTimeOffset TradingDateStart(DateOnly date) => ToUtc(date, TimeOnly.MinValue);

    /// <summary>The session of the exchange day holding <paramref name="at"/> (none on a weekend or holiday).</summary>
    private TradingSession? SessionOfDay(DateTimeOffset at)
    {
        var day = Volatile.Read(ref _day);
        if (day is null || at < day.Start || at >= day.End)
        {
            // Midnight in New York is never skipped nor repeated (the DST changes are at 02:00), so the bounds are exact.
            var date = ExchangeDate(at);
            day = new DayCache(ToUtc(date, TimeOnly.MinValue), ToUtc(date.AddDays(1), TimeOnly.MinValue), GetSession(date));
            Volatile.Write(ref _day, day);
        }

        return day.Session;
    }

    private sealed record DayCache(DateTimeOffset Start, DateTimeOffset End, TradingSession? Session);

    private DateTimeOffset Search(DateTimeOffset after, Func<TradingSession, DateTimeOffset> pick)
    {
        var date = ExchangeDate(after);
        for (var i = 0; i < MaxSearchDays; i++, date = date.AddDays(1))
        {
            if (GetSession(date) is { } session && pick(session) > after)
            {
                return pick(session);
            }
        }

        throw new InvalidOperationException($"No session found within {MaxSearchDays} days after {after:O}.");
    }

    private static void EnsureCovered(DateOnly date)
    {
        if (!NyseHolidays.Covers(date))
        {
            throw new ArgumentOutOfRangeException(nameof(date), date,
                $"The NYSE calendar covers {NyseHolidays.FirstYear} to {NyseHolidays.LastYear}.");
        }
    }
}
