namespace OrleansTrader.MarketData.Events;

public enum FeedState
{
    /// <summary>Not started, or stopped.</summary>
    Disconnected = 0,

    /// <summary>Connecting or authenticating.</summary>
    Connecting,

    /// <summary>Delivering data normally.</summary>
    Connected,

    /// <summary>Running, but something is wrong (an error from the source, a lost connection, rejected data).</summary>
    Degraded,

    /// <summary>The source ended (replay finished).</summary>
    Completed,
}
