using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

public sealed class InstrumentCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var instrument = context.Input.Instrument;
        if (instrument is null || instrument.Symbol != context.Request.Symbol)
        {
            return RiskDecision.Deny(RiskReasonCodes.InstrumentUnknown, $"Unknown instrument {context.Request.Symbol}.");
        }

        return instrument.Tradable ? null
            : RiskDecision.Deny(RiskReasonCodes.InstrumentNotTradable, $"{instrument.Symbol} is not tradable.");
    }
}
