using OrleansTrader.Domain.Breaker;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>One audited breaker transition.</summary>
public sealed record BreakerAuditEntry(long Version, BreakerTransition Transition);
