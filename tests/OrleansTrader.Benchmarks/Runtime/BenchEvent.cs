namespace OrleansTrader.Benchmarks.Runtime;

/// <summary>A stream event stamped with its publish time (Stopwatch ticks) for end-to-end latency.</summary>
public sealed record BenchEvent(long PublishedAt, int Number);
