using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Writes and reads a record nested in <see cref="AccountState"/> through its own type info, the same bytes as without it.
/// The core record takes System.Text.Json's slow path (its working orders have a converter), and there every nested
/// object pushes a frame, which allocates the frame stack on each write (about 0.3 KB, twice per order). A converter of
/// its own is a plain value to the slow path, so nothing is pushed, and the record itself takes its generated fast path.
/// </summary>
internal sealed class NestedRecordJsonConverter<T> : JsonConverter<T>
    where T : class
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, TypeInfo(options));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, TypeInfo(options));

    private static JsonTypeInfo<T> TypeInfo(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
