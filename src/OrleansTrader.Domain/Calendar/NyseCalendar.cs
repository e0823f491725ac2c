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
        GetSession(ExchangeDate(at))?.IsOpen(at, includeExtended) ?? false;

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
        GetSession(ExchangeDate(at)) is { } session && session.IsOpen(at, includeExtended)
            ? includeExtended ? session.ExtendedOpen : session.RegularOpen
            : null;

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
