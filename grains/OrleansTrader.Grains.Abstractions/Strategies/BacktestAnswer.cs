namespace OrleansTrader.Grains.Abstractions;

/// <summary>A backtest's report, or why it could not run (<see cref="StrategyErrorCodes"/>).</summary>
public sealed record BacktestAnswer(bool Succeeded, BacktestReport? Report, string? ErrorCode = null, string? Message = null);
