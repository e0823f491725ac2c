namespace OrleansTrader.Gateway.Contracts;

/// <summary>Trip, reset, halt or resume: a reason (audited with the key id as actor) and, for trips, the state
/// ("halted" by default, or "reducing"). <see cref="Force"/> resets although a trigger still holds.</summary>
public sealed record BreakerCommandRequest
{
    public string? State { get; init; }

    public string? Reason { get; init; }

    public bool? Force { get; init; }
}
