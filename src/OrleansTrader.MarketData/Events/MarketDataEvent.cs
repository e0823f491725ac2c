namespace OrleansTrader.MarketData.Events;

/// <summary>
/// One item of a market data feed. The set is closed (the constructor is not visible outside this assembly),
/// so consumers can switch over it exhaustively.
/// </summary>
public abstract record MarketDataEvent
{
    private protected MarketDataEvent()
    {
    }

    /// <summary>The symbol the event is about, or null for feed-wide status events.</summary>
    public abstract string? Symbol { get; }

    /// <summary>
    /// The data time at which the event became known: a tick's timestamp, a bar's end. Replay merges and paces by it.
    /// </summary>
    public abstract DateTimeOffset AvailableAt { get; }
}
