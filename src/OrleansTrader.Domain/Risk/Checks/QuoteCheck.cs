using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
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

        if (age <= context.Limits.MaxQuoteAge || IsLastSessionsQuote(context, quote))
        {
            return null;
        }

        return RiskDecision.Deny(RiskReasonCodes.QuoteStale,
            $"The quote for {quote.Symbol} is {TimeMath.Seconds(age):0.###} s old (max {TimeMath.Seconds(context.Limits.MaxQuoteAge):0.###} s).");
    }

    /// <summary>
    /// While the market is closed for the session the order asks for (an order let through by RequireMarketOpen=false, or
    /// an OPG/CLS one), the feed is silent: the last session's last quote is as current as a quote can be, so its age counts
    /// from the last regular close. A quote from an earlier session is still stale. An extended-hours order counts from the
    /// regular close too, not the after-hours one: a feed need not quote the whole after-hours (the default IEX feed stops
    /// at 17:00 New York), and a quote fresh at the regular close or later is as current as that feed gets. Only asked of a
    /// quote stale by the clock, so a fresh quote never needs the calendar.
    /// </summary>
    private static bool IsLastSessionsQuote(RiskContext context, QuoteTick quote)
    {
        var now = context.Input.Now;
        return !context.Calendar.IsOpen(now, context.Request.ExtendedHours)
            && context.Calendar.LastClose(now) is { } close
            && close - quote.Timestamp <= context.Limits.MaxQuoteAge;
    }
}
