using OrleansTrader.Benchmarks;

// Usage: OrleansTrader.Benchmarks <suite> [--quick] [--only <scenario prefix>]. Every suite with that name runs; each
// prints one JSON line per scenario. --only runs just the scenarios whose name starts with the prefix (for profiling).
// --allocations also prints, to stderr, the types allocated most (sampled by the runtime's allocation ticks).
var quick = args.Contains("--quick");
var onlyAt = Array.IndexOf(args, "--only");
var only = onlyAt >= 0 && onlyAt + 1 < args.Length ? args[onlyAt + 1] : null;
var suiteName = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (onlyAt < 0 || i != onlyAt + 1)).FirstOrDefault();

var suites = BenchmarkSuites.All
    .Where(s => string.Equals(s.Name, suiteName, StringComparison.OrdinalIgnoreCase))
    .ToList();
if (suites.Count == 0)
{
    var names = BenchmarkSuites.All.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase);
    await Console.Error.WriteLineAsync($"usage: OrleansTrader.Benchmarks <{string.Join('|', names)}> [--quick] [--only <scenario prefix>] [--allocations]");
    return 2;
}

using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
var context = new BenchmarkContext(quick, Console.Out, only);
foreach (var suite in suites)
{
    await suite.RunAsync(context);
}

sampler?.WriteTop(Console.Error, 40);

return 0;
