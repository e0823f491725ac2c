namespace OrleansTrader.Domain.Backtesting;

/// <summary>Where and when a fill policy says an intent executes. Its time must not precede the end of the signal bar.</summary>
public sealed record BacktestFill(decimal Price, DateTimeOffset Timestamp);
