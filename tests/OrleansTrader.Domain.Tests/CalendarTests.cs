using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Domain.Tests;

public sealed class CalendarTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    private static DateTimeOffset Utc(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    private static DateTimeOffset At(DateOnly date, int hourUtc, int minute = 0) => Utc(date.Year, date.Month, date.Day, hourUtc, minute);

    private static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", null);

    // Every weekday the exchange was (or is scheduled to be) closed, and every 13:00 ET early close, per year. Sources
    // (facts only): NYSE Group's yearly holiday and early-closings announcements as republished by mondovisione.com
    // (2020-2022 on 2019-12-09, 2021-2023 on 2020-12-28, 2022-2024 on 2021-12-27, 2025-2027 on 2024-11-08, 2026-2028 on
    // 2025-12-23) and older copies of the same tables: wallstreetdiary.blogspot.com 2013/03 (2013 holidays; 2014, 2015),
    // usps-holidays.com 2014 market holidays (2014 early closes), moneymorning.com 2012/10/30 (2015 early closes),
    // profitconfidential.com nyse-holidays-schedule-calendar (2016, 2017), mastercompliance.com 2018 and paulmaior.ro
    // 2018/09 (2018, 2019). Special closures: 2018-12-05 (NYSE release of 2018-12-01, national day of mourning for
    // George H. W. Bush) and 2025-01-09 (NYSE announcement of 2024-12-30, national day of mourning for Jimmy Carter).
    // 2013's early closes (Wed 07-03, Fri 11-29, Tue 12-24) follow the same published rule; no 2013 table was found.
    // No New Year holiday in 2022 or 2028 (Saturday, NYSE Rule 7.2): 2021-12-31 and 2027-12-31 trade. Juneteenth from 2022 only.
    // No early close before an Independence Day observed on Friday July 3 (2015, 2020, 2026) or a Monday July 4/5
    // (2016, 2021, 2022, 2027), nor on a Christmas Eve that is a weekend (2016, 2017, 2022, 2023, 2028) or the observed
    // Christmas holiday (2021, 2027).
    [Theory]
    [InlineData(2013,
        "2013-01-01 2013-01-21 2013-02-18 2013-03-29 2013-05-27 2013-07-04 2013-09-02 2013-11-28 2013-12-25",
        "2013-07-03 2013-11-29 2013-12-24")]
    [InlineData(2014,
        "2014-01-01 2014-01-20 2014-02-17 2014-04-18 2014-05-26 2014-07-04 2014-09-01 2014-11-27 2014-12-25",
        "2014-07-03 2014-11-28 2014-12-24")]
    [InlineData(2015,
        "2015-01-01 2015-01-19 2015-02-16 2015-04-03 2015-05-25 2015-07-03 2015-09-07 2015-11-26 2015-12-25",
        "2015-11-27 2015-12-24")]
    [InlineData(2016,
        "2016-01-01 2016-01-18 2016-02-15 2016-03-25 2016-05-30 2016-07-04 2016-09-05 2016-11-24 2016-12-26",
        "2016-11-25")]
    [InlineData(2017,
        "2017-01-02 2017-01-16 2017-02-20 2017-04-14 2017-05-29 2017-07-04 2017-09-04 2017-11-23 2017-12-25",
        "2017-07-03 2017-11-24")]
    [InlineData(2018,
        "2018-01-01 2018-01-15 2018-02-19 2018-03-30 2018-05-28 2018-07-04 2018-09-03 2018-11-22 2018-12-05 2018-12-25",
        "2018-07-03 2018-11-23 2018-12-24")]
    [InlineData(2019,
        "2019-01-01 2019-01-21 2019-02-18 2019-04-19 2019-05-27 2019-07-04 2019-09-02 2019-11-28 2019-12-25",
        "2019-07-03 2019-11-29 2019-12-24")]
    [InlineData(2020,
        "2020-01-01 2020-01-20 2020-02-17 2020-04-10 2020-05-25 2020-07-03 2020-09-07 2020-11-26 2020-12-25",
        "2020-11-27 2020-12-24")]
    [InlineData(2021,
        "2021-01-01 2021-01-18 2021-02-15 2021-04-02 2021-05-31 2021-07-05 2021-09-06 2021-11-25 2021-12-24",
        "2021-11-26")]
    [InlineData(2022,
        "2022-01-17 2022-02-21 2022-04-15 2022-05-30 2022-06-20 2022-07-04 2022-09-05 2022-11-24 2022-12-26",
        "2022-11-25")]
    [InlineData(2023,
        "2023-01-02 2023-01-16 2023-02-20 2023-04-07 2023-05-29 2023-06-19 2023-07-04 2023-09-04 2023-11-23 2023-12-25",
        "2023-07-03 2023-11-24")]
    [InlineData(2024,
        "2024-01-01 2024-01-15 2024-02-19 2024-03-29 2024-05-27 2024-06-19 2024-07-04 2024-09-02 2024-11-28 2024-12-25",
        "2024-07-03 2024-11-29 2024-12-24")]
    [InlineData(2025,
        "2025-01-01 2025-01-09 2025-01-20 2025-02-17 2025-04-18 2025-05-26 2025-06-19 2025-07-04 2025-09-01 2025-11-27 2025-12-25",
        "2025-07-03 2025-11-28 2025-12-24")]
    [InlineData(2026,
        "2026-01-01 2026-01-19 2026-02-16 2026-04-03 2026-05-25 2026-06-19 2026-07-03 2026-09-07 2026-11-26 2026-12-25",
        "2026-11-27 2026-12-24")]
    [InlineData(2027,
        "2027-01-01 2027-01-18 2027-02-15 2027-03-26 2027-05-31 2027-06-18 2027-07-05 2027-09-06 2027-11-25 2027-12-24",
        "2027-11-26")]
    [InlineData(2028,
        "2028-01-17 2028-02-21 2028-04-14 2028-05-29 2028-06-19 2028-07-04 2028-09-04 2028-11-23 2028-12-25",
        "2028-07-03 2028-11-24")]
    public void EveryCoveredYear_MatchesThePublishedNyseSchedule(int year, string closures, string earlyCloses)
    {
        var weekdays = Enumerable.Range(0, DateTime.IsLeapYear(year) ? 366 : 365)
            .Select(i => new DateOnly(year, 1, 1).AddDays(i))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            .Select(d => (Date: d, Session: Nyse.GetSession(d)))
            .ToList();

        Assert.Equal(closures.Split(' '), weekdays.Where(w => w.Session is null).Select(w => Text(w.Date)));
        var early = weekdays.Where(w => w.Session is { IsEarlyClose: true }).Select(w => w.Session!).ToList();
        Assert.Equal(earlyCloses.Split(' '), early.Select(s => Text(s.Date)));

        // 13:00 New York: 17:00 UTC in July (EDT), 18:00 UTC in November and December (EST); after-hours until 17:00.
        Assert.All(early, s => Assert.Equal(
            (Utc(year, s.Date.Month, s.Date.Day, s.Date.Month == 7 ? 17 : 18), Utc(year, s.Date.Month, s.Date.Day, s.Date.Month == 7 ? 21 : 22)),
            (s.RegularClose, s.ExtendedClose)));
        Assert.All(weekdays.Where(w => w.Session is { IsEarlyClose: false }), w => Assert.Equal(
            NyseCalendar.ToUtc(w.Date, new TimeOnly(16, 0)), w.Session!.RegularClose));
    }

    // US clocks change at 02:00 local on a Sunday (second Sunday of March, first Sunday of November): the session of the
    // Friday before keeps the old offset and the Monday after has the new one.
    [Theory]
    [InlineData(2013, 3, 10, 11, 3)]
    [InlineData(2014, 3, 9, 11, 2)]
    [InlineData(2015, 3, 8, 11, 1)]
    [InlineData(2016, 3, 13, 11, 6)]
    [InlineData(2017, 3, 12, 11, 5)]
    [InlineData(2018, 3, 11, 11, 4)]
    [InlineData(2019, 3, 10, 11, 3)]
    [InlineData(2020, 3, 8, 11, 1)]
    [InlineData(2021, 3, 14, 11, 7)]
    [InlineData(2022, 3, 13, 11, 6)]
    [InlineData(2023, 3, 12, 11, 5)]
    [InlineData(2024, 3, 10, 11, 3)]
    [InlineData(2025, 3, 9, 11, 2)]
    [InlineData(2026, 3, 8, 11, 1)]
    [InlineData(2027, 3, 14, 11, 7)]
    [InlineData(2028, 3, 12, 11, 5)]
    public void Sessions_AroundEachYearsClockChanges_AreInTheRightUtcOffset(int year, int springMonth, int springDay, int fallMonth, int fallDay)
    {
        var spring = new DateOnly(year, springMonth, springDay);
        var fall = new DateOnly(year, fallMonth, fallDay);
        Assert.Equal((DayOfWeek.Sunday, DayOfWeek.Sunday), (spring.DayOfWeek, fall.DayOfWeek));

        var beforeSpring = Nyse.GetSession(spring.AddDays(-2))!;
        var afterSpring = Nyse.GetSession(spring.AddDays(1))!;
        var beforeFall = Nyse.GetSession(fall.AddDays(-2))!;
        var afterFall = Nyse.GetSession(fall.AddDays(1))!;

        Assert.Equal((At(spring.AddDays(-2), 9), At(spring.AddDays(-2), 14, 30), At(spring.AddDays(-2), 21)),
            (beforeSpring.ExtendedOpen, beforeSpring.RegularOpen, beforeSpring.RegularClose));
        Assert.Equal((At(spring.AddDays(1), 8), At(spring.AddDays(1), 13, 30), At(spring.AddDays(1), 20)),
            (afterSpring.ExtendedOpen, afterSpring.RegularOpen, afterSpring.RegularClose));
        Assert.Equal((At(fall.AddDays(-2), 8), At(fall.AddDays(-2), 13, 30), At(fall.AddDays(-2), 20)),
            (beforeFall.ExtendedOpen, beforeFall.RegularOpen, beforeFall.RegularClose));
        Assert.Equal((At(fall.AddDays(1), 9), At(fall.AddDays(1), 14, 30), At(fall.AddDays(1), 21)),
            (afterFall.ExtendedOpen, afterFall.RegularOpen, afterFall.RegularClose));
    }

    [Fact]
    public void OutsideTheCoveredYears_EveryQueryThrows_RatherThanGuessing()
    {
        Assert.NotNull(Nyse.GetSession(new DateOnly(2013, 1, 2)));
        Assert.NotNull(Nyse.GetSession(new DateOnly(2028, 12, 29)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.GetSession(new DateOnly(2012, 12, 31)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.IsOpen(Utc(2012, 12, 31, 15), includeExtended: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.IsHoliday(new DateOnly(2029, 1, 2)));

        // The last covered session's close is found; a DAY order accepted after it has no known close.
        Assert.Equal(Utc(2028, 12, 29, 21), Nyse.NextClose(Utc(2028, 12, 29, 15)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.NextClose(Utc(2028, 12, 29, 22)));
    }

    [Fact]
    public void GoodFriday2026_IsClosed()
    {
        Assert.Null(Nyse.GetSession(new DateOnly(2026, 4, 3)));
        Assert.False(Nyse.IsOpen(Utc(2026, 4, 3, 15), includeExtended: true));
        Assert.True(Nyse.IsHoliday(new DateOnly(2026, 4, 3)));
    }

    [Fact]
    public void DayAfterThanksgiving2026_ClosesAt13EasternTime()
    {
        var session = Nyse.GetSession(new DateOnly(2026, 11, 27))!;

        Assert.True(session.IsEarlyClose);
        Assert.Equal(Utc(2026, 11, 27, 18), session.RegularClose); // 13:00 EST = 18:00 UTC
        Assert.Equal(Utc(2026, 11, 27, 22), session.ExtendedClose);
        Assert.True(Nyse.IsOpen(Utc(2026, 11, 27, 17, 59), includeExtended: false));
        Assert.False(Nyse.IsOpen(Utc(2026, 11, 27, 18), includeExtended: false));
        Assert.True(Nyse.IsOpen(Utc(2026, 11, 27, 18), includeExtended: true));
    }

    [Fact]
    public void Sessions_FollowDaylightSavingTransitions()
    {
        // DST starts 2026-03-08 and ends 2026-11-01 in New York.
        Assert.Equal(Utc(2026, 3, 6, 14, 30), Nyse.GetSession(new DateOnly(2026, 3, 6))!.RegularOpen);
        Assert.Equal(Utc(2026, 3, 9, 13, 30), Nyse.GetSession(new DateOnly(2026, 3, 9))!.RegularOpen);
        Assert.Equal(Utc(2026, 10, 30, 20), Nyse.GetSession(new DateOnly(2026, 10, 30))!.RegularClose);
        Assert.Equal(Utc(2026, 11, 2, 21), Nyse.GetSession(new DateOnly(2026, 11, 2))!.RegularClose);
        Assert.Equal(Utc(2026, 11, 2, 9), Nyse.GetSession(new DateOnly(2026, 11, 2))!.ExtendedOpen);
    }

    [Fact]
    public void IsOpen_DistinguishesRegularAndExtendedHours()
    {
        var preMarket = Utc(2026, 3, 10, 12); // 08:00 EDT
        var regular = Utc(2026, 3, 10, 15);
        var night = Utc(2026, 3, 11, 1); // 21:00 EDT

        Assert.False(Nyse.IsOpen(preMarket, includeExtended: false));
        Assert.True(Nyse.IsOpen(preMarket, includeExtended: true));
        Assert.True(Nyse.IsOpen(regular, includeExtended: false));
        Assert.False(Nyse.IsOpen(night, includeExtended: true));
    }

    [Fact]
    public void NextClose_SkipsHolidayAndWeekend_ForDayOrderExpiry()
    {
        var afterThursdayClose = Utc(2026, 4, 2, 21); // Thursday 17:00 EDT; Friday is Good Friday

        Assert.Equal(Utc(2026, 4, 6, 20), Nyse.NextClose(afterThursdayClose));
        Assert.Equal(Utc(2026, 4, 2, 20), Nyse.NextClose(Utc(2026, 4, 2, 15)));
    }

    // The next open and the last close look across a weekend whose Sunday moves the clocks: the Friday keeps the old offset
    // and the Monday has the new one (2013 and 2024, both ways). The last close is what a quote's age counts from while the
    // market is closed (QUOTE_STALE); across Christmas 2024 it is the early close of the 24th, 13:00 (after-hours 17:00).
    [Fact]
    public void NextOpenAndLastClose_AcrossTheClockChangeWeekends_AndChristmas()
    {
        Assert.Equal(Utc(2013, 3, 11, 13, 30), Nyse.NextOpen(Utc(2013, 3, 8, 22)));
        Assert.Equal(Utc(2013, 3, 8, 21), Nyse.LastClose(Utc(2013, 3, 11, 12)));
        Assert.Equal(Utc(2013, 11, 4, 14, 30), Nyse.NextOpen(Utc(2013, 11, 1, 21)));
        Assert.Equal(Utc(2013, 11, 1, 20), Nyse.LastClose(Utc(2013, 11, 4, 12)));
        Assert.Equal(Utc(2024, 3, 11, 13, 30), Nyse.NextOpen(Utc(2024, 3, 8, 22)));
        Assert.Equal(Utc(2024, 3, 8, 21), Nyse.LastClose(Utc(2024, 3, 11, 12)));
        Assert.Equal(Utc(2024, 11, 4, 14, 30), Nyse.NextOpen(Utc(2024, 11, 1, 21)));
        Assert.Equal(Utc(2024, 11, 1, 20), Nyse.LastClose(Utc(2024, 11, 4, 12)));

        Assert.Equal(Utc(2024, 12, 24, 18), Nyse.LastClose(Utc(2024, 12, 25, 15)));
        Assert.Equal(Utc(2024, 12, 24, 22), Nyse.LastClose(Utc(2024, 12, 25, 15), includeExtended: true));
        Assert.Equal(Utc(2024, 12, 26, 14, 30), Nyse.NextOpen(Utc(2024, 12, 24, 18)));
        Assert.Equal(Utc(2024, 12, 26, 21), Nyse.NextClose(Utc(2024, 12, 24, 18)));
    }

    [Fact]
    public void NextOpen_RegularAndExtended()
    {
        var goodFriday = Utc(2026, 4, 3, 15);

        Assert.Equal(Utc(2026, 4, 6, 13, 30), Nyse.NextOpen(goodFriday));
        Assert.Equal(Utc(2026, 4, 6, 8), Nyse.NextOpen(goodFriday, includeExtended: true));
    }

    [Fact]
    public void SharedDataWeek_October2013_IsFiveRegularSessions()
    {
        var sessions = Enumerable.Range(7, 5).Select(d => Nyse.GetSession(new DateOnly(2013, 10, d))).ToList();

        Assert.All(sessions, s => Assert.False(s!.IsEarlyClose));
        Assert.Equal(Utc(2013, 10, 7, 13, 30), sessions[0]!.RegularOpen);
        Assert.Equal(Utc(2013, 10, 11, 20), sessions[4]!.RegularClose);
    }

    [Fact]
    public void GetSession_OutsideCoveredYears_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.GetSession(new DateOnly(2030, 1, 2)));
    }

    [Fact]
    public void NewYearOnSaturday_IsNotObservedOnFriday()
    {
        // 2022-01-01 was a Saturday: the exchange traded on 2021-12-31.
        Assert.NotNull(Nyse.GetSession(new DateOnly(2021, 12, 31)));
    }

    [Fact]
    public void AlwaysOpen_IsOpenAndClosesAtUtcMidnight()
    {
        var calendar = AlwaysOpenCalendar.Instance;
        var at = Utc(2026, 4, 3, 15);

        Assert.True(calendar.IsOpen(at, includeExtended: false));
        Assert.Equal(Utc(2026, 4, 4, 0), calendar.NextClose(at));
        Assert.Equal(Utc(2026, 4, 5, 0), calendar.NextClose(Utc(2026, 4, 4, 0)));
        Assert.Equal(Utc(2026, 4, 3, 0), calendar.GetSession(new DateOnly(2026, 4, 3)).RegularOpen);
    }

    // New York is UTC-5 in winter and UTC-4 in summer, so its midnight is 05:00 or 04:00 UTC, in the overnight gap; UTC
    // midnight (19:00 or 20:00 there) is inside the after-hours session, still the day of that morning's session.
    [Fact]
    public void TradingDate_IsTheNewYorkDateOnNyse_AndTheUtcDateWhenAlwaysOpen()
    {
        Assert.Equal(new DateOnly(2026, 12, 7), Nyse.TradingDate(Utc(2026, 12, 8, 0, 30)));
        Assert.Equal(new DateOnly(2026, 12, 7), Nyse.TradingDate(Utc(2026, 12, 8, 4, 59)));
        Assert.Equal(new DateOnly(2026, 12, 8), Nyse.TradingDate(Utc(2026, 12, 8, 5, 0)));
        Assert.Equal(new DateOnly(2026, 7, 7), Nyse.TradingDate(Utc(2026, 7, 8, 3, 59)));
        Assert.Equal(new DateOnly(2026, 7, 8), Nyse.TradingDate(Utc(2026, 7, 8, 4, 0)));
        Assert.Equal(Utc(2026, 12, 8, 5), Nyse.TradingDateStart(new DateOnly(2026, 12, 8)));
        Assert.Equal(Utc(2026, 7, 8, 4), Nyse.TradingDateStart(new DateOnly(2026, 7, 8)));

        var alwaysOpen = AlwaysOpenCalendar.Instance;
        Assert.Equal(new DateOnly(2026, 12, 8), alwaysOpen.TradingDate(Utc(2026, 12, 8, 0, 30)));
        Assert.Equal(new DateOnly(2026, 12, 7), alwaysOpen.TradingDate(Utc(2026, 12, 7, 23, 59)));
        Assert.Equal(Utc(2026, 12, 8, 0), alwaysOpen.TradingDateStart(new DateOnly(2026, 12, 8)));
    }
}
