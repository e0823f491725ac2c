using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// A stored snapshot that did not read (<see cref="StoredSnapshotJsonConverter"/>): its JSON as stored and why. Never
/// restored; the strategy stops with <see cref="Error"/> as its reason.
/// </summary>
internal sealed record UnreadableSnapshot(string Json, Exception Error) : StrategyState;
