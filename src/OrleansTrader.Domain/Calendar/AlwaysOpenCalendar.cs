namespace OrleansTrader.Domain.Calendar;

/// <summary>
/// Simulation only: the market never closes. Each UTC calendar day is one session [00:00, 24:00) UTC, regular and
/// extended alike, so DAY orders expire at the next UTC midnight. For the paper default and for tests that must not
/// depend on the time of day; never for live trading.
/// </summary>
public sealed class AlwaysOpenCalendar : ITradingCalendar
{
    public static AlwaysOpenCalendar Instance { get; } = new();

    public bool IsOpen(DateTimeOffset at, bool includeExtended) => true;

    public TradingSession GetSession(DateOnly date)
    {
        var open = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var close = open.AddDays(1);
        return new TradingSession(date, open, open, close, close, IsEarlyClose: false);
    }

    TradingSession? ITradingCalendar.GetSession(DateOnly date) => GetSession(date);

    public DateTimeOffset NextClose(DateTimeOffset after) => NextMidnight(after);

    public DateTimeOffset NextOpen(DateTimeOffset after, bool includeExtended = false) => NextMidnight(after);

    public DateTimeOffset? LastClose(DateTimeOffset at, bool includeExtended = false) => null;

    // Its midnight "open" follows no closed period: a quote from before it is as good as one after.
    public DateTimeOffset? OpenedAt(DateTimeOffset at, bool includeExtended = false) => null;

    /// <summary>The UTC date: each UTC day is a session here.</summary>
    public DateOnly TradingDate(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    public DateTimeOffset TradingDateStart(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

    private static DateTimeOffset NextMidnight(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        return new DateTimeOffset(utc.Date, TimeSpan.Zero).AddDays(1);
    }
}
