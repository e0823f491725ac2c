using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Domain.Backtesting;

public sealed record BacktestOptions
{
    /// <summary>Used for client order ids ("{StrategyId}-{sequence}") exactly as in live trading.</summary>
    public required string StrategyId { get; init; }

    public required decimal InitialCash { get; init; }

    /// <summary>Where intents fill; <see cref="BacktestFillPolicies.NextBarOpen"/> unless set.</summary>
    public BacktestFillPolicy FillPolicy { get; init; } = BacktestFillPolicies.NextBarOpen;

    /// <summary>
    /// Adverse slippage in basis points, as the paper exchange applies it: a market or stop fill moves against the order
    /// (buys higher, sells lower); a limit or stop-limit fill moves too, but never past its limit. 0 unless set; below 10,000.
    /// </summary>
    public decimal SlippageBps { get; init; }

    /// <summary>The fee of one fill, e.g. <c>input => feeModel.Calculate(input).Total</c>; no fees unless set.</summary>
    public Func<FeeInput, decimal> Fee { get; init; } = static _ => 0m;

    /// <summary>
    /// Whose sessions end DAY orders (<see cref="Orders.OrderExpiry"/>, as at the paper exchange): <see cref="NyseCalendar"/>
    /// for US equities, whose session closes at 16:00 New York time. <see cref="AlwaysOpenCalendar"/> (each UTC date one
    /// session) unless set, as the paper exchange's default.
    /// </summary>
    public ITradingCalendar Calendar { get; init; } = AlwaysOpenCalendar.Instance;
}
