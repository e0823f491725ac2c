namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of a strategy command: the status afterwards, or an error code from <see cref="StrategyErrorCodes"/>.</summary>
public sealed record StrategyCommandResult(bool Succeeded, StrategyStatus? Status, string? ErrorCode = null, string? Message = null);
