using System.Collections.Frozen;

namespace OrleansTrader.Domain.Calendar;

/// <summary>
/// NYSE full-day closures and 13:00 early closes, from the exchange's published rules:
/// New Year's Day, Martin Luther King Jr. Day (3rd Monday of January), Washington's Birthday (3rd Monday of February),
/// Good Friday, Memorial Day (last Monday of May), Juneteenth (from 2022), Independence Day, Labor Day (1st Monday of
/// September), Thanksgiving (4th Thursday of November) and Christmas. A holiday on a Saturday is observed the Friday
/// before and on a Sunday the Monday after, except New Year's Day on a Saturday, which is not observed (NYSE Rule 7.2:
/// the exchange stays open on the last day of the year). Early closes: July 3 when it is a Monday to Thursday, the day
/// after Thanksgiving, and December 24 when it is a Monday to Thursday. Unscheduled closures in the covered years
/// (national days of mourning) are listed explicitly.
/// </summary>
public static class NyseHolidays
{
    public const int FirstYear = 2013;
    public const int LastYear = 2028;

    private static readonly DateOnly[] SpecialClosures =
    [
        new(2018, 12, 5), // Day of mourning for President George H. W. Bush.
        new(2025, 1, 9), // Day of mourning for President Jimmy Carter.
    ];

    public static FrozenSet<DateOnly> Holidays { get; } = Enumerable.Range(FirstYear, LastYear - FirstYear + 1)
        .SelectMany(HolidaysOf).Concat(SpecialClosures).ToFrozenSet();

    public static FrozenSet<DateOnly> EarlyCloses { get; } = Enumerable.Range(FirstYear, LastYear - FirstYear + 1)
        .SelectMany(EarlyClosesOf).Where(d => !Holidays.Contains(d)).ToFrozenSet();

    public static bool Covers(DateOnly date) => date.Year is >= FirstYear and <= LastYear;

    private static IEnumerable<DateOnly> HolidaysOf(int year)
    {
        var newYear = new DateOnly(year, 1, 1);
        if (newYear.DayOfWeek != DayOfWeek.Saturday)
        {
            yield return Observed(newYear);
        }

        yield return NthWeekday(year, 1, DayOfWeek.Monday, 3);
        yield return NthWeekday(year, 2, DayOfWeek.Monday, 3);
        yield return EasterSunday(year).AddDays(-2);
        yield return LastWeekday(year, 5, DayOfWeek.Monday);
        if (year >= 2022)
        {
            yield return Observed(new DateOnly(year, 6, 19));
        }

        yield return Observed(new DateOnly(year, 7, 4));
        yield return NthWeekday(year, 9, DayOfWeek.Monday, 1);
        yield return NthWeekday(year, 11, DayOfWeek.Thursday, 4);
        yield return Observed(new DateOnly(year, 12, 25));
    }

    private static IEnumerable<DateOnly> EarlyClosesOf(int year)
    {
        var july3 = new DateOnly(year, 7, 3);
        if (july3.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
        {
            yield return july3;
        }

        yield return NthWeekday(year, 11, DayOfWeek.Thursday, 4).AddDays(1);
        var christmasEve = new DateOnly(year, 12, 24);
        if (christmasEve.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
        {
            yield return christmasEve;
        }
    }

    private static DateOnly Observed(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(-1),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    };

    private static DateOnly NthWeekday(int year, int month, DayOfWeek day, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)day - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek day)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)day + 7) % 7;
        return last.AddDays(-offset);
    }

    /// <summary>Gregorian Easter Sunday (the anonymous Gregorian computus).</summary>
    private static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}
