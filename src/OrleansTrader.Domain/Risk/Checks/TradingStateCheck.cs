using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Risk.Checks;

/// <summary>HALTED refuses every new order and replace; cancels never reach the engine, so they always pass.</summary>
public sealed class TradingStateCheck : IRiskCheck
{
    public RiskDecision? Check(RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Input.TradingState switch
        {
            TradingState.Active or TradingState.Reducing => null,
            TradingState.Halted => RiskDecision.Deny(RiskReasonCodes.TradingHalted, "Trading is halted; only cancels are accepted."),
            _ => RiskDecision.Deny(RiskReasonCodes.TradingHalted, $"Unknown trading state {context.Input.TradingState}."),
        };
    }
}
