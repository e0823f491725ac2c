using OrleansTrader.Domain.Breaker;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A trip or a global halt: the state ("halted" by default, or "reducing") and a reason, audited with the key id
/// as actor. No <c>force</c>: a trip never overrides anything, so a body that sends one is refused rather than ignored.</summary>
public sealed record BreakerTripRequest
{
    [AcceptedValues(typeof(TradingState), nameof(TradingState.Reducing), nameof(TradingState.Halted))]
    public string? State { get; init; }

    [RequiredField]
    public string? Reason { get; init; }
}
