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
        var recent = context.Input.RecentSubmits;

        // No window holds more submits than the whole collection: below the limit in total is below it in any window, with
        // no pass over a window that can hold thousands of submits when the limit is high.
        if (recent.Count < limits.MaxSubmitsPerWindow)
        {
            return null;
        }

        // A loop rather than Count(predicate): no closure per order.
        var count = 0;
        foreach (var submitted in recent)
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
