namespace OrleansTrader.Domain.Calendar;

/// <summary>One trading day: the extended pre-market opens at <see cref="ExtendedOpen"/>, the regular session runs
/// [<see cref="RegularOpen"/>, <see cref="RegularClose"/>), after-hours until <see cref="ExtendedClose"/>. UTC instants.</summary>
public sealed record TradingSession(
    DateOnly Date,
    DateTimeOffset ExtendedOpen,
    DateTimeOffset RegularOpen,
    DateTimeOffset RegularClose,
    DateTimeOffset ExtendedClose,
    bool IsEarlyClose)
{
    public bool IsOpen(DateTimeOffset at, bool includeExtended) => includeExtended
        ? at >= ExtendedOpen && at < ExtendedClose
        : at >= RegularOpen && at < RegularClose;
}
