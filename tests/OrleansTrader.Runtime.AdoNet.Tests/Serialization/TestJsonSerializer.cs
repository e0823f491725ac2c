using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>A grain state serializer over System.Text.Json with a source-generated context: a closed set of types.</summary>
public sealed class TestJsonSerializer : IGrainStateSerializer
{
    public static TestJsonSerializer Instance { get; } = new();

    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public T Deserialize<T>(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize(data, TypeInfo<T>()) ?? throw new JsonException($"Stored {typeof(T).Name} was null.");

    private static JsonTypeInfo<T> TypeInfo<T>() =>
        TestJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not in the test serialization context.");
}
