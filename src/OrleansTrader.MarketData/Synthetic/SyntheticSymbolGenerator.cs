using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;

namespace OrleansTrader.MarketData.Synthetic;

/// <summary>One symbol's quote and trade generator on top of its GBM path.</summary>
internal sealed class SyntheticSymbolGenerator(string symbol, GbmProcess process, SeededRandom random, SyntheticFeedOptions options)
{
    private const decimal Cent = 0.01m;
    private const string Exchange = "SYN";
    private bool _started;

    public (QuoteEvent Quote, TradeEvent Trade) Next(DateTimeOffset timestamp)
    {
        if (_started)
        {
            process.Step();
        }

        _started = true;
        var price = Math.Max(Cent, Math.Round((decimal)process.Price, 2, MidpointRounding.AwayFromZero));
        var bps = options.MinSpreadBps + ((options.MaxSpreadBps - options.MinSpreadBps) * (decimal)random.NextDouble());
        var spread = Math.Max(Cent, Math.Round(price * bps / 10_000m, 2, MidpointRounding.AwayFromZero));
        var bid = Math.Max(Cent, Math.Floor((price - (spread / 2m)) * 100m) / 100m);
        var ask = Math.Max(bid + spread, price);
        var quote = new QuoteTick(
            symbol, timestamp, bid, 100m * random.NextInt(1, 11), ask, 100m * random.NextInt(1, 11), Exchange);
        var size = random.NextDouble() < options.OddLotProbability ? random.NextInt(1, 100) : 100 * random.NextInt(1, 11);
        var trade = new TradeTick(symbol, timestamp, price, size, Exchange);
        return (new QuoteEvent(quote), new TradeEvent(trade));
    }
}
