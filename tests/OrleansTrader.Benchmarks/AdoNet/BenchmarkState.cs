namespace OrleansTrader.Benchmarks.AdoNet;

/// <summary>A grain state about the size of an account snapshot row.</summary>
public sealed record BenchmarkState(string AccountId, decimal Cash, decimal Equity, long Version, string Note);
