using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>Quantity bounds, lot size and fractional rules of the instrument.</summary>
public sealed class QuantityCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = OrderValidator.ValidateQuantity(context.Request, context.Instrument);
        if (errors.Count == 0)
        {
            return null;
        }

        var instrument = context.Instrument;
        var max = context.AlignDown(Math.Min(context.Request.Quantity, instrument.MaxQuantity));
        // The message is sentences for people; the rules' codes go in Causes.
        return RiskDecision.Deny(RiskReasonCodes.QuantityInvalid, string.Join(" ", errors.Select(e => e.Message)),
            max >= instrument.MinQuantity ? max : null, [.. errors.Select(e => e.Code)]);
    }
}
