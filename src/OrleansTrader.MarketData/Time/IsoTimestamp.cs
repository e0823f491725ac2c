using System.Globalization;

namespace OrleansTrader.MarketData.Time;

/// <summary>
/// Strict ISO-8601 / RFC 3339 parsing: a date, a time and an explicit offset ("Z" or ±hh:mm) are required,
/// because a timestamp without an offset is ambiguous. Fractions beyond 100 ns (RFC 3339 nanoseconds) are
/// truncated to the tick. Results are UTC.
/// </summary>
internal static class IsoTimestamp
{
    private const int MaxFractionDigits = 7;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text[10] != 'T' || !HasExplicitOffset(text))
        {
            return false;
        }

        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var offsetStart = text[^1] == 'Z' ? text.Length - 1 : text.Length - 6;
            var digits = offsetStart - dot - 1;
            if (digits > MaxFractionDigits)
            {
                if (digits > 9 || text.Length > 64)
                {
                    return false;
                }

                Span<char> trimmed = stackalloc char[text.Length - (digits - MaxFractionDigits)];
                text[..(dot + 1 + MaxFractionDigits)].CopyTo(trimmed);
                text[offsetStart..].CopyTo(trimmed[(dot + 1 + MaxFractionDigits)..]);
                return TryParseExact(trimmed, out value);
            }
        }

        return TryParseExact(text, out value);
    }

    public static bool TryParseDate(ReadOnlySpan<char> text, out DateOnly value) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private static bool TryParseExact(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (!DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            value = default;
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }

    private static bool HasExplicitOffset(ReadOnlySpan<char> text)
    {
        if (text[^1] == 'Z')
        {
            return true;
        }

        var sign = text[^6];
        return (sign == '+' || sign == '-') && text[^3] == ':';
    }
}
