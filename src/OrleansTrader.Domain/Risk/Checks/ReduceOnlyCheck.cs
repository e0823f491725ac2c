using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>
/// In REDUCING, an order passes only when all of it closes existing exposure (net of other open orders), and so do the
/// orders it makes: a bracket or OTO never does.
/// </summary>
public sealed class ReduceOnlyCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Input.TradingState != TradingState.Reducing)
        {
            return null;
        }

        var request = context.Request;
        if (request.OrderClass is OrderClass.Bracket or OrderClass.Oto)
        {
            // Their exits trade against the entry: once an entry that closes the position fills, an exit opens it again.
            return RiskDecision.Deny(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
                $"Trading is reduce-only; the exits of a {request.OrderClass} order would reopen the exposure its entry closes.");
        }

        var opening = context.OpeningQuantity(request.Quantity);
        if (opening == 0m)
        {
            return null;
        }

        var closable = request.Quantity - opening;
        return RiskDecision.Deny(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
            $"Trading is reduce-only; {opening} of this {request.Side} would open or increase exposure.",
            closable > 0m ? context.AlignDown(closable) : null);
    }
}
