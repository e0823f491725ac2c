namespace OrleansTrader.Benchmarks;

/// <summary>A named group of scenarios run by `dotnet run -- &lt;name&gt;`.</summary>
public interface IBenchmarkSuite
{
    string Name { get; }

    Task RunAsync(BenchmarkContext context);
}
