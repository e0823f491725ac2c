using System.Text.Json;

namespace OrleansTrader.Benchmarks;

/// <summary>What a suite needs: whether to run the short version, which scenarios to run, and where to write its JSON lines.</summary>
public sealed class BenchmarkContext(bool quick, TextWriter output, string? only = null)
{
    private readonly List<string> _failures = [];

    public bool Quick { get; } = quick;

    /// <summary>
    /// The scenarios whose line says the run did less work than it claims (<c>complete</c> false, an <c>error</c>, or
    /// <c>dropped</c> events): the process exits non-zero so that a script does not take their rates as figures.
    /// </summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>True when the scenario should run: no --only filter, or its name starts with the filter.</summary>
    public bool Wants(string scenario) => only is null || scenario.StartsWith(only, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes one scenario result as a single JSON line.</summary>
    public void Report(IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        output.WriteLine(JsonSerializer.Serialize(fields));
        output.Flush();
        if (FailureOf(fields) is { } failure)
        {
            _failures.Add($"{fields.GetValueOrDefault("scenario")}: {failure}");
        }
    }

    private static string? FailureOf(IReadOnlyDictionary<string, object?> fields)
    {
        if (fields.TryGetValue("error", out var error) && error is not null)
        {
            return $"error: {error}";
        }

        if (fields.TryGetValue("complete", out var complete) && complete is false)
        {
            return "complete is false";
        }

        return fields.TryGetValue("dropped", out var dropped) && dropped is not null && Convert.ToInt64(dropped, System.Globalization.CultureInfo.InvariantCulture) > 0
            ? $"{dropped} events dropped"
            : null;
    }
}
