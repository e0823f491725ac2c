namespace OrleansTrader.Gateway.Validation;

/// <summary>A backtest's <c>fill</c>: where an order fills, parsed like every enum of the API.</summary>
internal enum BacktestFill
{
    NextBarOpen,
    SignalBarClose,
}
