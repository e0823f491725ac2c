using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>Limit and stop prices must lie within the band (percent) around the last price: catches fat fingers.</summary>
public sealed class PriceBandCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.LimitPrice is null && request.StopPrice is null)
        {
            return null;
        }

        var last = context.LastPrice;
        var band = context.Limits.PriceBandPercent;
        foreach (var price in new[] { request.LimitPrice, request.StopPrice })
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
