namespace OrleansTrader.Benchmarks.Runtime;

public sealed class BenchCounter
{
    public int Value { get; set; }
}
