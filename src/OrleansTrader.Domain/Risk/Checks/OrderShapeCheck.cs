using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>Every other order-shape rule of <see cref="OrderValidator"/> (prices per type, ticks, time in force, classes).</summary>
public sealed class OrderShapeCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = OrderValidator.Validate(context.Request, context.Instrument);
        return errors.Count == 0 ? null
            : RiskDecision.Deny(RiskReasonCodes.OrderInvalid, string.Join(" ", errors.Select(e => e.Message)), causes: [.. errors.Select(e => e.Code)]);
    }
}
