using System.Runtime.CompilerServices;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>A feed that delivers nothing until it is stopped: a market-data pump that has heard nothing.</summary>
internal sealed class SilentFeed : IMarketDataFeed
{
    public string Name => "silent";

    public FeedHealth GetHealth() => throw new NotSupportedException();

    public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
