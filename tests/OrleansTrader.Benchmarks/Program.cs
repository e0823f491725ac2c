using OrleansTrader.Benchmarks;

// Usage: OrleansTrader.Benchmarks <suite> [--quick] [--only <scenario prefix>]. Every suite with that name runs; each
// prints one JSON line per scenario. --only runs just the scenarios whose name starts with the prefix (for profiling).
// --allocations also prints, to stderr, the types allocated most (sampled by the runtime's allocation ticks).
// Exit codes: 2 for a bad command line, 1 when a scenario reported an incomplete run (see BenchmarkContext.Failures).
var parsed = BenchmarkArguments.Parse(args, BenchmarkSuites.All, out var error);
if (parsed is null)
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

using var sampler = parsed.Allocations ? new AllocationSampler() : null;
var context = new BenchmarkContext(parsed.Quick, Console.Out, parsed.Only);
foreach (var suite in parsed.Suites)
{
    await suite.RunAsync(context);
}

sampler?.WriteTop(Console.Error, 40);

foreach (var failure in context.Failures)
{
    await Console.Error.WriteLineAsync($"FAILED: {failure}");
}

return context.Failures.Count == 0 ? 0 : 1;
