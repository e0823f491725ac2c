using System.Text.Json;

namespace OrleansTrader.Benchmarks;

/// <summary>What a suite needs: whether to run the short version, and where to write its JSON lines.</summary>
public sealed class BenchmarkContext(bool quick, TextWriter output)
{
    public bool Quick { get; } = quick;

    /// <summary>Writes one scenario result as a single JSON line.</summary>
    public void Report(IReadOnlyDictionary<string, object?> fields)
    {
        output.WriteLine(JsonSerializer.Serialize(fields));
        output.Flush();
    }
}
