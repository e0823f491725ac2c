using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Symbols;

/// <summary>
/// A symbol's persisted last trade and quote, so a symbol collected or restarted while the feed is silent still has its
/// last prices (an order accepted on a weekend, the marks of held positions). Bars, counters, the duplicate window and
/// the replay position are not kept: they flow again from the feed.
/// </summary>
internal sealed record SymbolGrainState
{
    public TradeTick? LastTrade { get; set; }

    public QuoteTick? LastQuote { get; set; }
}
