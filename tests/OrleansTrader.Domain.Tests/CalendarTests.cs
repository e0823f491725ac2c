using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.Domain.Tests;

public sealed class CalendarTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    private static DateTimeOffset Utc(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2025, "2025-01-01 2025-01-09 2025-01-20 2025-02-17 2025-04-18 2025-05-26 2025-06-19 2025-07-04 2025-09-01 2025-11-27 2025-12-25")]
    [InlineData(2026, "2026-01-01 2026-01-19 2026-02-16 2026-04-03 2026-05-25 2026-06-19 2026-07-03 2026-09-07 2026-11-26 2026-12-25")]
    [InlineData(2027, "2027-01-01 2027-01-18 2027-02-15 2027-03-26 2027-05-31 2027-06-18 2027-07-05 2027-09-06 2027-11-25 2027-12-24")]
    public void Holidays_MatchTheNyseSchedule(int year, string expected)
    {
        var actual = NyseHolidays.Holidays.Where(d => d.Year == year).Order().Select(d => d.ToString("yyyy-MM-dd", null));

        Assert.Equal(expected.Split(' '), actual);
    }

    [Theory]
    [InlineData(2025, "2025-07-03 2025-11-28 2025-12-24")]
    [InlineData(2026, "2026-11-27 2026-12-24")]
    [InlineData(2027, "2027-11-26")]
    public void EarlyCloses_MatchTheNyseSchedule(int year, string expected)
    {
        var actual = NyseHolidays.EarlyCloses.Where(d => d.Year == year).Order().Select(d => d.ToString("yyyy-MM-dd", null));

        Assert.Equal(expected.Split(' '), actual);
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
}
