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
}
