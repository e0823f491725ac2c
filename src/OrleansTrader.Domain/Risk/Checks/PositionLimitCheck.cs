using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>
/// The position after this order and every open order in the symbol, valued at the order's reference price, must stay
/// within both the notional cap and the percentage-of-equity cap. Orders that shrink the exposure always pass.
/// </summary>
public sealed class PositionLimitCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var before = context.ProjectedPositionBeforeOrder;
        var after = before + context.Direction * context.Request.Quantity;
        if (Math.Abs(after) <= Math.Abs(before))
        {
            return null;
        }

        var price = context.ReferencePrice;
        var equity = context.Valuation.Equity;
        var limit = Math.Min(context.Limits.MaxPositionNotional, Math.Max(0m, equity) * context.Limits.MaxPositionPercentOfEquity / 100m);
        var notional = Math.Abs(after) * price;
        if (notional <= limit)
        {
            return null;
        }

        var maxQuantity = context.AlignDown(limit / price - context.Direction * before);
        var (notionalText, limitText) = Money.TextAgainst(notional, limit);
        return RiskDecision.Deny(RiskReasonCodes.PositionExceedsMax,
            $"Position notional {notionalText} would exceed the limit {limitText} (min of {Money.Text(context.Limits.MaxPositionNotional)} and "
            + $"{context.Limits.MaxPositionPercentOfEquity}% of equity {Money.Text(equity)}).",
            maxQuantity);
    }
}
