using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>A two-sided-enough quote (the side the order trades against) no older than the limit.</summary>
public sealed class QuoteCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var quote = context.Quote;
        var age = context.Input.Now - quote.Timestamp;

        // A quote stamped ahead of our clock (a skewed or bad feed) by more than the max age says nothing about when it was
        // current: it would otherwise count as fresh until our clock passed its stamp plus the max age.
        if (age < -context.Limits.MaxQuoteAge)
        {
            return RiskDecision.Deny(RiskReasonCodes.QuoteStale,
                $"The quote for {quote.Symbol} is stamped {TimeMath.Seconds(-age):0.###} s in the future (max {TimeMath.Seconds(context.Limits.MaxQuoteAge):0.###} s).");
        }

        return age <= context.Limits.MaxQuoteAge ? null
            : RiskDecision.Deny(RiskReasonCodes.QuoteStale,
                $"The quote for {quote.Symbol} is {TimeMath.Seconds(age):0.###} s old (max {TimeMath.Seconds(context.Limits.MaxQuoteAge):0.###} s).");
    }
}
