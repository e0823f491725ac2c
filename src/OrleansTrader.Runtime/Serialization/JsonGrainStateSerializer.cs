using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansTrader.Runtime;

/// <summary>
/// System.Text.Json with source-generated contexts only: a type is serializable when one of the registered contexts
/// knows it; anything else fails with a clear error (no reflection fallback, no type names in payloads).
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStateSerializer
{
    private readonly JsonSerializerContext[] _contexts;
    private readonly ConcurrentDictionary<Type, JsonTypeInfo> _typeInfos = new();

    public JsonGrainStateSerializer(IEnumerable<JsonSerializerContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts.ToArray();
    }

    internal JsonGrainStateSerializer(IEnumerable<JsonSerializerContextRegistration> registrations)
        : this(registrations.Select(r => r.Context))
    {
    }

    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, GetTypeInfo<T>());

    public void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var typeInfo = GetTypeInfo<T>();
        using var writer = new Utf8JsonWriter(output, WriterOptions(typeInfo.Options));
        JsonSerializer.Serialize(writer, value, typeInfo);
    }

    public T Deserialize<T>(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize(data, GetTypeInfo<T>())!;

    /// <summary>The writer settings <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonTypeInfo{TValue})"/> derives from the options, so both overloads write the same bytes.</summary>
    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
        SkipValidation = true,
    };

    private JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)_typeInfos.GetOrAdd(typeof(T), static (type, contexts) =>
    {
        foreach (var context in contexts)
        {
            if (context.GetTypeInfo(type) is { } info)
            {
                return info;
            }
        }

        throw new InvalidOperationException(
            $"{type} is not registered in any JsonSerializerContext. Add [JsonSerializable(typeof({type.Name}))] to a context and register it with silo.AddJsonSerializerContext(MyContext.Default).");
    }, _contexts);
}
