using OrleansTrader.Benchmarks;

// Usage: OrleansTrader.Benchmarks <suite> [--quick]. Every suite with that name runs; each prints one JSON line per scenario.
var quick = args.Contains("--quick");
var suiteName = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));

var suites = BenchmarkSuites.All
    .Where(s => string.Equals(s.Name, suiteName, StringComparison.OrdinalIgnoreCase))
    .ToList();
if (suites.Count == 0)
{
    var names = BenchmarkSuites.All.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase);
    await Console.Error.WriteLineAsync($"usage: OrleansTrader.Benchmarks <{string.Join('|', names)}> [--quick]");
    return 2;
}

var context = new BenchmarkContext(quick, Console.Out);
foreach (var suite in suites)
{
    await suite.RunAsync(context);
}

return 0;
