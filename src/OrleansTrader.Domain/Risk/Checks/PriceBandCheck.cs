using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>
/// Limit and stop prices must lie within the band (percent) around the last price: catches fat fingers. A group is judged
/// by the order placed (a bracket's or OTO's entry, an OCO's take-profit); the exits held behind an entry are not.
/// </summary>
public sealed class PriceBandCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;

        // An OCO works at its take-profit's limit (the venue's and Alpaca's take_profit.limit_price), whatever its own
        // limit price says: that is the price placed.
        var takeProfit = request.OrderClass == OrderClass.Oco ? request.TakeProfit?.LimitPrice : null;
        if (request.LimitPrice is null && request.StopPrice is null && takeProfit is null)
        {
            return null;
        }

        var last = context.LastPrice;
        var band = context.Limits.PriceBandPercent;
        foreach (var price in new[] { request.LimitPrice, request.StopPrice, takeProfit })
        {
            if (price is { } value && Math.Abs(value - last) / last * 100m > band)
            {
                return RiskDecision.Deny(RiskReasonCodes.PriceOutsideBand,
                    $"Price {value} is more than {band}% away from the last price {last}.");
            }
        }

        return null;
    }
}
