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
}
