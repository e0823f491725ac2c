using OrleansTrader.Domain.Breaker;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A reset or a global resume: the state ("active" by default, or "reducing"), a reason, audited with the key id
/// as actor, and <see cref="Force"/> to reset although a trigger still holds.</summary>
public sealed record BreakerResetRequest
{
    [AcceptedValues(typeof(TradingState), nameof(TradingState.Active), nameof(TradingState.Reducing))]
    public string? State { get; init; }

    [RequiredField]
    public string? Reason { get; init; }

    public bool? Force { get; init; }
}
