using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Reads a built-in kind's stored snapshot (<see cref="StrategyGrainState.Snapshot"/>) without failing the whole record:
/// JSON that no longer reads as a snapshot (a member a later build renamed or retyped, a corrupt value) comes back as an
/// <see cref="UnreadableSnapshot"/> holding it as stored. Thrown on, it failed the read of the grain's state, so every
/// activation failed and the strategy's status, stop and delete with it; now the restore stops the strategy with the
/// reason, as it does a registered kind's snapshot kept as JSON. Written back as it was read, so nothing is lost until
/// a parameter change or a delete replaces it.
/// </summary>
internal sealed class StoredSnapshotJsonConverter : JsonConverter<StrategyState>
{
    public override StrategyState? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // A converter is given the whole value, so a copy of the reader can read it again after a failure part way.
        var start = reader;
        try
        {
            return JsonSerializer.Deserialize(ref reader, Snapshots(options));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            reader = start;
            using var document = JsonDocument.ParseValue(ref reader);
            return new UnreadableSnapshot(document.RootElement.GetRawText(), ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, StrategyState value, JsonSerializerOptions options)
    {
        if (value is UnreadableSnapshot unreadable)
        {
            writer.WriteRawValue(unreadable.Json, skipInputValidation: true);
        }
        else
        {
            JsonSerializer.Serialize(writer, value, Snapshots(options));
        }
    }

    private static JsonTypeInfo<StrategyState> Snapshots(JsonSerializerOptions options) =>
        (JsonTypeInfo<StrategyState>)options.GetTypeInfo(typeof(StrategyState));
}
