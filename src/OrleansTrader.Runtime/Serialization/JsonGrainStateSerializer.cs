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
    // Writers kept per thread, one per options: the grains' contexts have different options and their writes alternate
    // (an account's record, then the venue's delta), so a single writer was replaced, with its buffers, on most writes.
    private const int WritersPerThread = 4;

    [ThreadStatic]
    private static (JsonSerializerOptions Options, Utf8JsonWriter Writer)[]? t_writers;

    [ThreadStatic]
    private static int t_nextWriter;

    private static readonly ArrayBufferWriter<byte> Detached = new(1);

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

        // One writer per thread and options, reset onto each output, so the overload allocates nothing of its own.
        var writer = WriterFor(typeInfo.Options, output);

        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        finally
        {
            // Not left pointing at the caller's buffer. Not Stream.Null either: a reset onto a stream makes the writer a
            // buffer of its own each time. Nothing writes to the placeholder, since every use resets the writer first.
            writer.Reset(Detached);
        }
    }

    private static Utf8JsonWriter WriterFor(JsonSerializerOptions options, IBufferWriter<byte> output)
    {
        var writers = t_writers ??= new (JsonSerializerOptions, Utf8JsonWriter)[WritersPerThread];
        foreach (var (kept, writer) in writers)
        {
            if (ReferenceEquals(kept, options))
            {
                writer.Reset(output);
                return writer;
            }
        }

        // More options than slots: the slots are reused in turn.
        var created = new Utf8JsonWriter(output, WriterOptions(options));
        writers[t_nextWriter] = (options, created);
        t_nextWriter = (t_nextWriter + 1) % WritersPerThread;
        return created;
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
