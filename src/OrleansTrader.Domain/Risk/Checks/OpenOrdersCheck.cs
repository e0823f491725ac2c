using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

public sealed class OpenOrdersCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var max = context.Limits.MaxOpenOrders;
        var adds = OrdersPlaced(context.Input.Request.OrderClass);
        return context.Input.OpenOrderCount + adds <= max ? null
            : RiskDecision.Deny(RiskReasonCodes.MaxOpenOrders, adds == 1
                ? $"The account has {context.Input.OpenOrderCount} open orders (max {max})."
                : $"The account has {context.Input.OpenOrderCount} open orders (max {max}); a {context.Input.Request.OrderClass} order adds {adds}.");
    }

    /// <summary>The open orders a request makes: its exit legs are orders of their own at the venue and in the account.</summary>
    private static int OrdersPlaced(OrderClass orderClass) => orderClass switch
    {
        OrderClass.Bracket => 3,
        OrderClass.Oco or OrderClass.Oto => 2,
        _ => 1,
    };
}
