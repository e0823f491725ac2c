namespace OrleansTrader.MarketData.Health;

public enum MalformedReason
{
    None = 0,
    ColumnCount,
    Timestamp,
    Number,
    Flag,
    InvalidMessage,
    UnknownMessageType,

    /// <summary>A row of a one-day file stamped outside that day, in any time zone (a typo such as 2031 for 2013).</summary>
    OutsideFileDate,

    /// <summary>
    /// A row of the daily file dated more than 7 days after both the row before it and the row after it, or its first or last
    /// row dated 365 days or more after its one neighbour (a typo).
    /// </summary>
    FarOutOfOrder,
}
