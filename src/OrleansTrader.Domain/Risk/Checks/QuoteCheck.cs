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
        return age <= context.Limits.MaxQuoteAge ? null
            : RiskDecision.Deny(RiskReasonCodes.QuoteStale,
                $"The quote for {quote.Symbol} is {TimeMath.Seconds(age):0.###} s old (max {TimeMath.Seconds(context.Limits.MaxQuoteAge):0.###} s).");
    }
}
