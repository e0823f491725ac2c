using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.AdoNet;

internal sealed class BenchmarkStateSerializer : IGrainStateSerializer
{
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public T Deserialize<T>(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize(data, TypeInfo<T>()) ?? throw new JsonException($"Stored {typeof(T).Name} was null.");

    private static JsonTypeInfo<T> TypeInfo<T>() =>
        BenchmarkJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not in the benchmark serialization context.");
}
