namespace OrleansTrader.Benchmarks;

/// <summary>
/// The command line: <c>&lt;suite&gt; [--quick] [--only &lt;scenario prefix&gt;] [--allocations]</c>. Anything else is an
/// error rather than ignored: a mistyped <c>--quick</c> would otherwise start the full run, and an <c>--only</c> that
/// matches no scenario would run nothing and still exit 0.
/// </summary>
public sealed record BenchmarkArguments(IReadOnlyList<IBenchmarkSuite> Suites, bool Quick, string? Only, bool Allocations)
{
    /// <summary>The parsed arguments, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static BenchmarkArguments? Parse(IReadOnlyList<string> args, IReadOnlyList<IBenchmarkSuite> known, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(known);
        var names = known.Select(s => s.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var usage = $"usage: OrleansTrader.Benchmarks <{string.Join('|', names)}> [--quick] [--only <scenario prefix>] [--allocations]";
        string? suiteName = null;
        string? only = null;
        var quick = false;
        var allocations = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--allocations":
                    allocations = true;
                    break;
                case "--only":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || args[i + 1].Length == 0)
                    {
                        error = $"--only needs a scenario prefix.\n{usage}";
                        return null;
                    }

                    only = args[++i];
                    break;
                case var flag when flag.StartsWith("--", StringComparison.Ordinal):
                    error = $"unknown option {flag}.\n{usage}";
                    return null;
                case var name when suiteName is null:
                    suiteName = name;
                    break;
                default:
                    error = $"unexpected argument {args[i]} (one suite per run).\n{usage}";
                    return null;
            }
        }

        var suites = known.Where(s => string.Equals(s.Name, suiteName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (suites.Count == 0)
        {
            error = suiteName is null ? usage : $"unknown suite {suiteName}.\n{usage}";
            return null;
        }

        var scenarios = suites.SelectMany(s => s.Scenarios).ToList();
        if (only is not null && !scenarios.Any(s => s.StartsWith(only, StringComparison.OrdinalIgnoreCase)))
        {
            error = $"--only {only} matches no scenario of suite {suiteName}: {string.Join(", ", scenarios)}";
            return null;
        }

        error = null;
        return new BenchmarkArguments(suites, quick, only, allocations);
    }
}
