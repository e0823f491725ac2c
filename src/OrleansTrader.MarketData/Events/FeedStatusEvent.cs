namespace OrleansTrader.MarketData.Events;

/// <summary>A change in the feed's health: connected, degraded (with the source's error code when it gave one), recovered, completed.</summary>
public sealed record FeedStatusEvent(
    string FeedName,
    FeedState State,
    DateTimeOffset Timestamp,
    string Message,
    int? ErrorCode = null) : MarketDataEvent
{
    public override string? Symbol => null;

    public override DateTimeOffset AvailableAt => Timestamp;
}
