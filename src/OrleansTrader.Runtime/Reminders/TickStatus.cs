namespace OrleansTrader.Runtime;

/// <summary>Describes one reminder tick.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);
