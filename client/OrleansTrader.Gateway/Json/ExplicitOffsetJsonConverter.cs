using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// Reads a time only with its offset ("Z" for UTC, or "+hh:mm"/"-hh:mm"). The built-in reader takes a time without one, or
/// a date alone, in the host's own time zone, so one request meant another instant on a silo kept in New York's zone than on
/// one kept in UTC. Writing is the built-in's.
/// </summary>
internal sealed class ExplicitOffsetJsonConverter : JsonConverter<DateTimeOffset>
{
    public const string Problem = "Must be a date and time in ISO 8601 with its offset, such as 2026-03-02T14:30:00Z or 2026-03-02T09:30:00-05:00.";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var value) || !HasOffset(reader.GetString()!))
        {
            throw new JsonValueException(Problem);
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>Whether an ISO 8601 date and time names its offset: a "Z", "+" or "-" after the "T" (a date alone has none).</summary>
    internal static bool HasOffset(string text)
    {
        var time = text.AsSpan().IndexOfAny('T', 't');
        return time >= 0 && text.AsSpan(time).IndexOfAny("Zz+-") >= 0;
    }
}
