using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>Refuses orders outside the session they ask for (extended hours only when the order allows them).</summary>
public sealed class MarketHoursCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!context.Limits.RequireMarketOpen || request.TimeInForce is TimeInForce.Opg or TimeInForce.Cls)
        {
            return null;
        }

        return context.Calendar.IsOpen(context.Input.Now, request.ExtendedHours) ? null
            : RiskDecision.Deny(RiskReasonCodes.MarketClosed, $"The market is closed at {context.Input.Now:O}.");
    }
}
