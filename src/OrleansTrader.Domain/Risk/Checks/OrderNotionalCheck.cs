using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

public sealed class OrderNotionalCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var price = context.ReferencePrice;
        var notional = context.Request.Quantity * price;
        var max = context.Limits.MaxOrderNotional;
        if (notional <= max)
        {
            return null;
        }

        var (notionalText, maxText) = Money.TextAgainst(notional, max);
        return RiskDecision.Deny(RiskReasonCodes.NotionalExceedsMaxPerOrder,
            $"Order notional {notionalText} exceeds the maximum {maxText}.", context.AlignDown(max / price));
    }
}
