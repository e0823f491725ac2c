using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>At most N submits in any window ending now (this order would be the N+1th).</summary>
public sealed class RateLimitCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = context.Limits;
        var since = context.Input.Now - limits.SubmitWindow;
        var now = context.Input.Now;

        // A loop rather than Count(predicate): no closure per order.
        var count = 0;
        foreach (var submitted in context.Input.RecentSubmits)
        {
            if (submitted > since && submitted <= now)
            {
                count++;
            }
        }

        return count < limits.MaxSubmitsPerWindow ? null
            : RiskDecision.Deny(RiskReasonCodes.RateLimitExceeded,
                $"{count} orders submitted in the last {TimeMath.Seconds(limits.SubmitWindow):0.###} s (max {limits.MaxSubmitsPerWindow}).");
    }
}
