using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>How a position is marked and shown, the same for an account and for one of its strategies.</summary>
internal static class PositionView
{
    /// <summary>The last trade, else the quote mid; null when the symbol has neither yet.</summary>
    public static decimal? MarkOf(SymbolQuote quote) => quote.LastTrade is { Price: > 0m } trade ? trade.Price : quote.LastQuote?.Mid;

    public static AccountPosition Of(Position position, decimal? mark) => new()
    {
        Symbol = position.Symbol,
        Quantity = position.Quantity,
        AverageEntryPrice = position.AverageEntryPrice,
        MarketPrice = mark,
        MarketValue = mark is { } price ? position.MarketValue(price) : null,
        UnrealizedPnl = mark is { } m ? position.UnrealizedPnl(m) : null,
        RealizedPnl = position.RealizedPnl,
        FeesPaid = position.FeesPaid,
    };
}
