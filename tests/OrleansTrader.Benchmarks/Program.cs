using OrleansTrader.Benchmarks;

// Usage: OrleansTrader.Benchmarks <suite> [--quick]. Each suite prints one JSON line per scenario.
var quick = args.Contains("--quick");
var suiteName = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));

var suites = BenchmarkSuites.All.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
if (suiteName is null || !suites.TryGetValue(suiteName, out var suite))
{
    await Console.Error.WriteLineAsync(
        $"usage: OrleansTrader.Benchmarks <{string.Join('|', suites.Keys)}> [--quick]");
    return 2;
}

await suite.RunAsync(new BenchmarkContext(quick, Console.Out));
return 0;
