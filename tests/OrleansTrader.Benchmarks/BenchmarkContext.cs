using System.Text.Json;

namespace OrleansTrader.Benchmarks;

/// <summary>What a suite needs: whether to run the short version, which scenarios to run, and where to write its JSON lines.</summary>
public sealed class BenchmarkContext(bool quick, TextWriter output, string? only = null)
{
    public bool Quick { get; } = quick;

    /// <summary>True when the scenario should run: no --only filter, or its name starts with the filter.</summary>
    public bool Wants(string scenario) => only is null || scenario.StartsWith(only, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes one scenario result as a single JSON line.</summary>
    public void Report(IReadOnlyDictionary<string, object?> fields)
    {
        output.WriteLine(JsonSerializer.Serialize(fields));
        output.Flush();
    }
}
