using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Domain.Backtesting;

public sealed record BacktestOptions
{
    /// <summary>Used for client order ids ("{StrategyId}-{sequence}") exactly as in live trading.</summary>
    public required string StrategyId { get; init; }

    public required decimal InitialCash { get; init; }

    /// <summary>Where intents fill; <see cref="BacktestFillPolicies.NextBarOpen"/> unless set.</summary>
    public BacktestFillPolicy FillPolicy { get; init; } = BacktestFillPolicies.NextBarOpen;

    /// <summary>The fee of one fill, e.g. <c>input => feeModel.Calculate(input).Total</c>; no fees unless set.</summary>
    public Func<FeeInput, decimal> Fee { get; init; } = static _ => 0m;
}
