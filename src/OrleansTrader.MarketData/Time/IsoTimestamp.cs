using System.Globalization;

namespace OrleansTrader.MarketData.Time;

/// <summary>
/// Strict ISO-8601 / RFC 3339 parsing of <c>yyyy-MM-ddTHH:mm:ss[.fraction](Z|±hh:mm)</c>: a date, a time and an
/// explicit offset are required, because a timestamp without an offset is ambiguous. Fractions of up to nine digits
/// (RFC 3339 nanoseconds) are accepted and truncated to the 100 ns tick. Results are UTC. Hand-written because
/// replay parses millions of timestamps and the general parser dominated replay time.
/// </summary>
internal static class IsoTimestamp
{
    private const int MaxFractionDigits = 9;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
            !Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day) ||
            !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var position = 19;
        long fractionTicks = 0;
        if (text[position] == '.')
        {
            position++;
            var digits = 0;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                if (digits < 7)
                {
                    fractionTicks = (fractionTicks * 10) + (text[position] - '0');
                }

                digits++;
                position++;
            }

            if (digits is 0 or > MaxFractionDigits)
            {
                return false;
            }

            for (var i = Math.Min(digits, 7); i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }

        if (!TryParseOffset(text[position..], out var offset) ||
            year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    public static bool TryParseDate(ReadOnlySpan<char> text, out DateOnly value) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private static bool TryParseOffset(ReadOnlySpan<char> text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text is "Z")
        {
            return true;
        }

        if (text.Length != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' ||
            !Digits(text, 1, 2, out var hours) || !Digits(text, 4, 2, out var minutes) || hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (text[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = text[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
