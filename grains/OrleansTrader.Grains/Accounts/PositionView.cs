using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>How a position is marked and shown, the same for an account and for one of its strategies.</summary>
internal static class PositionView
{
    /// <summary>The last trade, else the quote mid; null when the symbol has neither yet.</summary>
    public static decimal? MarkOf(SymbolQuote quote) => quote.LastTrade is { Price: > 0m } trade ? trade.Price : quote.LastQuote?.Mid;

    public static AccountPosition Of(Position position, decimal? mark)
    {
        decimal? value = null, unrealized = null;
        if (mark is { } price)
        {
            // A mark the market data accepted can make the value overflow a decimal: shown at its mark without the
            // figures that cannot be represented, as the account's snapshot says (ValuationError), instead of throwing.
            try
            {
                value = position.MarketValue(price);
                unrealized = position.UnrealizedPnl(price);
            }
            catch (OverflowException)
            {
                value = null;
                unrealized = null;
            }
        }

        return new AccountPosition
        {
            Symbol = position.Symbol,
            Quantity = position.Quantity,
            AverageEntryPrice = position.AverageEntryPrice,
            MarketPrice = mark,
            MarketValue = value,
            UnrealizedPnl = unrealized,
            RealizedPnl = position.RealizedPnl,
            FeesPaid = position.FeesPaid,
        };
    }
}
