using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.MarketData;

/// <summary>
/// A source of market data. <see cref="ReadAsync"/> is meant for a single consumer (the pump that forwards
/// events to SymbolGrains); it ends when the source ends or when the token is cancelled.
/// </summary>
public interface IMarketDataFeed
{
    string Name { get; }

    IAsyncEnumerable<MarketDataEvent> ReadAsync(CancellationToken cancellationToken);

    /// <summary>A consistent snapshot for readiness checks.</summary>
    FeedHealth GetHealth();
}
