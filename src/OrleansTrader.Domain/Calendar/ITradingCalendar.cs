namespace OrleansTrader.Domain.Calendar;

/// <summary>When the market trades. All instants are UTC <see cref="DateTimeOffset"/>; sessions are in exchange time.</summary>
public interface ITradingCalendar
{
    bool IsOpen(DateTimeOffset at, bool includeExtended);

    /// <summary>The session of a trading day, or null when the exchange is closed that day (weekend, holiday).</summary>
    TradingSession? GetSession(DateOnly date);

    /// <summary>The first regular-session close strictly after <paramref name="after"/>: when a DAY order accepted then expires.</summary>
    DateTimeOffset NextClose(DateTimeOffset after);

    /// <summary>The first open (regular, or pre-market when <paramref name="includeExtended"/>) strictly after <paramref name="after"/>.</summary>
    DateTimeOffset NextOpen(DateTimeOffset after, bool includeExtended = false);

    /// <summary>
    /// The last close (regular, or after-hours when <paramref name="includeExtended"/>) at or before <paramref name="at"/>;
    /// null for a calendar that never closes.
    /// </summary>
    DateTimeOffset? LastClose(DateTimeOffset at, bool includeExtended = false);

    /// <summary>
    /// When the session open at <paramref name="at"/> opened (regular, or pre-market when <paramref name="includeExtended"/>);
    /// null when the market is closed then, or never closes (no session has a start that matters).
    /// </summary>
    DateTimeOffset? OpenedAt(DateTimeOffset at, bool includeExtended = false);

    /// <summary>
    /// The trading date <paramref name="at"/> falls on: the day an account's, a strategy's and a breaker's daily figures
    /// count in. On a calendar with closed hours it changes while the market is closed, so a day never splits a session.
    /// </summary>
    DateOnly TradingDate(DateTimeOffset at);

    /// <summary>The instant <paramref name="date"/> starts as a <see cref="TradingDate"/>.</summary>
    DateTimeOffset TradingDateStart(DateOnly date);
}
