namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of a trip, reset or policy change: the breaker's state afterwards, or a domain error code
/// (BreakerErrorCodes) and message.</summary>
public sealed record BreakerCommandResult(bool Succeeded, BreakerSnapshot Snapshot, string? ErrorCode = null, string? Message = null);
