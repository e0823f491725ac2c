namespace OrleansTrader.Brokers.Paper;

/// <summary>Which trading calendar the paper venue follows for sessions and DAY-order expiry.</summary>
public enum PaperCalendarKind
{
    /// <summary>The NYSE calendar: regular session 09:30-16:00 America/New_York, holidays and early closes.</summary>
    Nyse,

    /// <summary>Simulation only: always open, DAY orders expire at UTC midnight.</summary>
    AlwaysOpen,
}
