using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData.Events;

namespace OrleansTrader.Grains.Tests.Infrastructure;

public static class FeedReplay
{
    /// <summary>Feeds events to their symbol grains in feed order, as fast as the grains take them.</summary>
    public static async Task RunAsync(TradingCluster cluster, IAsyncEnumerable<MarketDataEvent> events)
    {
        await foreach (var item in events)
        {
            var batch = item switch
            {
                TradeEvent trade => new TickBatch { Trades = [trade.Trade] },
                QuoteEvent quote => new TickBatch { Quotes = [quote.Quote] },
                BarEvent bar => new TickBatch { Bars = [bar.Bar] },
                _ => null,
            };
            if (batch is not null)
            {
                await cluster.Symbol(item.Symbol!).IngestAsync(batch);
            }
        }
    }
}
