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
        return notional <= max ? null
            : RiskDecision.Deny(RiskReasonCodes.NotionalExceedsMaxPerOrder,
                $"Order notional {Money.Text(notional)} exceeds the maximum {Money.Text(max)}.", context.AlignDown(max / price));
    }
}
