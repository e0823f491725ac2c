using System.ComponentModel;

namespace OrleansTrader.Gateway.Contracts;

public sealed record ExitLegRequest
{
    [Description("Required in takeProfit (400 naming takeProfit.limitPrice); in stopLoss it makes the exit a stop-limit.")]
    public decimal? LimitPrice { get; init; }

    [Description("Required in stopLoss (400 naming stopLoss.stopPrice); refused in takeProfit.")]
    public decimal? StopPrice { get; init; }
}
