using System.Text.Json.Serialization;

namespace OrleansTrader.Benchmarks.AdoNet;

[JsonSerializable(typeof(BenchmarkState))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
