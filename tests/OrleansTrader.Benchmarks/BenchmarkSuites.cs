namespace OrleansTrader.Benchmarks;

/// <summary>Every suite the command line can run. Add a suite here when you add one.</summary>
public static class BenchmarkSuites
{
    public static IReadOnlyList<IBenchmarkSuite> All { get; } =
    [
        new Runtime.RuntimeBenchmarkSuite(),
        new Runtime.DurableSqliteStreamBenchmark(),
        new AdoNet.AdoNetBenchmarks(),
        new MarketDataBenchmarks(),
        new Trading.OrderBenchmarks(),
        new Trading.TickBenchmarks(),
        new Trading.BacktestBenchmarks(),
        new Trading.PaperMatchBenchmarks(),
        new Trading.PaperArchiveIndexBenchmarks(),
    ];
}
