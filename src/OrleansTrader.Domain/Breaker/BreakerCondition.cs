using System.Collections.Immutable;

namespace OrleansTrader.Domain.Breaker;

/// <summary>A trigger condition that holds now, the state it demands, and the values that made it hold.</summary>
public sealed record BreakerCondition(
    BreakerTrigger Trigger,
    TradingState Target,
    string Message,
    ImmutableSortedDictionary<string, decimal> Values);
