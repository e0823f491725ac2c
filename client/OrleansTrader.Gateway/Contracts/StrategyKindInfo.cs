namespace OrleansTrader.Gateway.Contracts;

/// <summary>A strategy kind the silo runs: built in, or registered with AddStrategy (docs/strategies.md).</summary>
public sealed record StrategyKindInfo(string Kind, bool BuiltIn, IReadOnlyList<string> Parameters, int MaxSymbols);
