using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>
/// The fill assumption of a backtest: given an intent, the bar that produced it and the next bar of the same symbol
/// (null at the end of the data), where and when it fills, or null if it does not (it is then canceled).
/// This is the seam where richer fill models plug in.
/// </summary>
public delegate BacktestFill? BacktestFillPolicy(OrderIntent intent, Bar signalBar, Bar? nextBar);
