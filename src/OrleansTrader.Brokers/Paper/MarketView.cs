using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The liquidity one market event offers, shared by every order it is matched against: displayed size at the touch
/// and the size of the trade being processed. Each fill takes what it used, so two orders never fill against the
/// same shares.
/// </summary>
internal sealed class MarketView(QuoteTick? quote, TradeTick? trade)
{
    public QuoteTick? Quote { get; private set; } = quote;

    public TradeTick? Trade { get; private set; } = trade;

    /// <summary>The size of the trade as it printed, before any fill took from it (the participation rate's base).</summary>
    public decimal? PrintSize { get; } = trade?.Size;

    /// <summary>
    /// Takes the liquidity a fill used and says whether it took it from the touch (taker) or a print through the limit
    /// (maker). A touch not <paramref name="quotedThisSession"/> (the venue matched the order without its size) filled nothing.
    /// </summary>
    public Liquidity Consume(SimulatedOrder before, decimal quantity, FillModelOptions options, bool quotedThisSession = true)
    {
        var atTouch = before.Type is not (OrderType.Limit or OrderType.StopLimit) || (quotedThisSession && FillModel.FillsAtTouch(before, Quote, options));
        if (atTouch)
        {
            if (options.LimitByDisplayedSize && Quote is { } quote)
            {
                Quote = before.Side == OrderSide.Buy
                    ? quote with { AskSize = Math.Max(0m, quote.AskSize - quantity) }
                    : quote with { BidSize = Math.Max(0m, quote.BidSize - quantity) };
            }

            if (options.ParticipationRate is not null)
            {
                TakeFromTrade(quantity);
            }

            return Liquidity.Taker;
        }

        TakeFromTrade(quantity);
        return Liquidity.Maker;
    }

    /// <summary>Gives back the liquidity taken since <paramref name="quote"/> and <paramref name="trade"/> were read (fills that were not saved).</summary>
    public void Restore(QuoteTick? quote, TradeTick? trade)
    {
        Quote = quote;
        Trade = trade;
    }

    private void TakeFromTrade(decimal quantity)
    {
        if (Trade is { } trade)
        {
            Trade = trade with { Size = Math.Max(0m, trade.Size - quantity) };
        }
    }
}
