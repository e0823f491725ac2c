using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Backtesting;

/// <summary>What a host persists to resume a strategy: its snapshot and the next order sequence of its context.</summary>
public sealed record StrategyResume(StrategyState State, long NextSequence);
