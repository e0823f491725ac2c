using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

public sealed class OpenOrdersCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var max = context.Limits.MaxOpenOrders;
        return context.Input.OpenOrderCount < max ? null
            : RiskDecision.Deny(RiskReasonCodes.MaxOpenOrders, $"The account has {context.Input.OpenOrderCount} open orders (max {max}).");
    }
}
