namespace OrleansTrader.Benchmarks;

/// <summary>A named group of scenarios run by `dotnet run -- &lt;name&gt;`.</summary>
public interface IBenchmarkSuite
{
    string Name { get; }

    /// <summary>The names of the scenarios the suite can report (what --only is checked against).</summary>
    IReadOnlyList<string> Scenarios { get; }

    Task RunAsync(BenchmarkContext context);
}
