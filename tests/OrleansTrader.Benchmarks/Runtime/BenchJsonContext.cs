using System.Text.Json.Serialization;

namespace OrleansTrader.Benchmarks.Runtime;

[JsonSerializable(typeof(BenchCounter))]
[JsonSerializable(typeof(BenchEvent))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
