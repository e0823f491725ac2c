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
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static JsonSerializerOptions? t_writerOptions;

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

        // One writer per thread (and options), reset onto each output, so the overload allocates nothing of its own.
        var writer = t_writer;
        if (writer is null || !ReferenceEquals(t_writerOptions, typeInfo.Options))
        {
            writer = new Utf8JsonWriter(output, WriterOptions(typeInfo.Options));
            t_writer = writer;
            t_writerOptions = typeInfo.Options;
        }
        else
        {
            writer.Reset(output);
        }

        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        finally
        {
            // Not left pointing at the caller's buffer.
            writer.Reset(Stream.Null);
        }
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
