using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>The validity checks both aggregators share, in a fixed order so each trade gets exactly one reason.</summary>
internal static class TradeScreen
{
    public static TradeDisposition Classify(TradeTick trade, string symbol, TradeFilterOptions options)
    {
        if (!string.Equals(trade.Symbol, symbol, StringComparison.Ordinal))
        {
            return TradeDisposition.SymbolMismatch;
        }

        if (options.ExcludeSourceFlagged && trade.Suspicious)
        {
            return TradeDisposition.SourceFlagged;
        }

        if (trade.Price <= 0m)
        {
            return TradeDisposition.NonPositivePrice;
        }

        return trade.Size <= 0m ? TradeDisposition.NonPositiveSize : TradeDisposition.Accepted;
    }

    public static bool Deviates(decimal price, decimal? reference, TradeFilterOptions options) =>
        options.MaxDeviationPercent is { } percent
        && reference is { } r
        && Math.Abs(price - r) * 100m > percent * r;
}
