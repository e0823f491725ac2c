using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>
/// The reservation this order needs (opening notional plus estimated fee) must fit in the buying power that is left
/// after every other open order's reservation. The maximum quantity is found by binary search over whole lots, so it
/// accounts for fee minimums and caps exactly.
/// </summary>
public sealed class BuyingPowerCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // An order that only closes exposure frees more buying power than its fee costs (a sale pays the fee from its
        // proceeds; a cover shrinks the margin requirement by its notional): it must pass even when none is left, or a
        // fully invested account could not get out, not even when the breaker says REDUCING.
        if (context.OpeningQuantity(context.Request.Quantity) == 0m)
        {
            return null;
        }

        var available = context.Valuation.BuyingPower;
        var required = context.RequiredReservation(context.Request.Quantity);
        if (required <= available)
        {
            return null;
        }

        var lot = context.Lot;
        long low = 0, high = (long)Math.Floor(context.Request.Quantity / lot);
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (context.RequiredReservation(middle * lot) <= available)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        var (requiredText, availableText) = Money.TextAgainst(required, available);
        return RiskDecision.Deny(RiskReasonCodes.InsufficientBuyingPower,
            $"The order needs {requiredText} of buying power; {availableText} is available.", low * lot);
    }
}
