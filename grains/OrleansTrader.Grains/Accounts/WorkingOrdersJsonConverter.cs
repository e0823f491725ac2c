using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The account's working orders as a JSON object keyed by order id, the same shape the default dictionary
/// serialization wrote. An account with many resting orders writes all of them in every core write, and most are
/// unchanged since the last one: from <see cref="CacheFrom"/> orders on, each order's JSON is kept with the (immutable)
/// <see cref="WorkingOrder"/> instance and copied instead of serialized again. A change makes a new instance, which is
/// serialized once. The cache holds the stored (compact) form only; other options serialize every order.
/// </summary>
internal sealed class WorkingOrdersJsonConverter : JsonConverter<Dictionary<string, WorkingOrder>>
{
    /// <summary>Below this many orders a write serializes them directly: the cache's bookkeeping would cost more.</summary>
    public const int CacheFrom = 8;

    private static readonly ConditionalWeakTable<WorkingOrder, byte[]> Serialized = [];

    public override Dictionary<string, WorkingOrder> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var orders = new Dictionary<string, WorkingOrder>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return orders;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Working orders: expected an object, found {reader.TokenType}.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var orderId = reader.GetString() ?? throw new JsonException("Working orders: a null order id.");
            reader.Read();
            orders[orderId] = JsonSerializer.Deserialize(ref reader, TypeInfo(options))
                ?? throw new JsonException($"Working orders: order {orderId} is null.");
        }

        return orders;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, WorkingOrder> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var info = TypeInfo(options);
        var cache = value.Count >= CacheFrom && ReferenceEquals(options, AccountStateJsonContext.Default.Options);
        writer.WriteStartObject();
        foreach (var (orderId, order) in value)
        {
            writer.WritePropertyName(orderId);
            if (!cache)
            {
                JsonSerializer.Serialize(writer, order, info);
                continue;
            }

            if (!Serialized.TryGetValue(order, out var json))
            {
                json = JsonSerializer.SerializeToUtf8Bytes(order, info);
                Serialized.AddOrUpdate(order, json);
            }

            writer.WriteRawValue(json, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    private static JsonTypeInfo<WorkingOrder> TypeInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<WorkingOrder>)options.GetTypeInfo(typeof(WorkingOrder));
}
