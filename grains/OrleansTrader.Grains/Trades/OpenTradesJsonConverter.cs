using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Grains.Trades;

/// <summary>
/// The round trips in progress as a JSON object keyed by symbol, each an array of its figures in a fixed order:
/// [isLong, opened, openedNotional, closed, closedNotional, realizedPnl, fees, entryTime (UTC ticks; left out when
/// unknown)]. Every core write carries one per position held, so the compact form matters (a third of the default's size).
/// </summary>
internal sealed class OpenTradesJsonConverter : JsonConverter<Dictionary<string, OpenRoundTrip>>
{
    public override Dictionary<string, OpenRoundTrip> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var trades = new Dictionary<string, OpenRoundTrip>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return trades;
        }

        Expect(ref reader, JsonTokenType.StartObject, "an object");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var symbol = reader.GetString() ?? throw new JsonException("Open trades: a null symbol.");
            reader.Read();
            Expect(ref reader, JsonTokenType.StartArray, $"an array for {symbol}");
            reader.Read();
            var trade = new OpenRoundTrip
            {
                Symbol = symbol,
                IsLong = reader.GetBoolean(),
                Opened = NextDecimal(ref reader),
                OpenedNotional = NextDecimal(ref reader),
                Closed = NextDecimal(ref reader),
                ClosedNotional = NextDecimal(ref reader),
                RealizedPnl = NextDecimal(ref reader),
                Fees = NextDecimal(ref reader),
            };
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number)
            {
                trade = trade with { EntryTime = new DateTimeOffset(reader.GetInt64(), TimeSpan.Zero) };
                reader.Read();
            }

            Expect(ref reader, JsonTokenType.EndArray, $"the end of {symbol}'s array");
            trades[symbol] = trade;
        }

        return trades;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, OpenRoundTrip> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (symbol, trade) in value)
        {
            writer.WriteStartArray(symbol);
            writer.WriteBooleanValue(trade.IsLong);
            writer.WriteNumberValue(trade.Opened);
            writer.WriteNumberValue(trade.OpenedNotional);
            writer.WriteNumberValue(trade.Closed);
            writer.WriteNumberValue(trade.ClosedNotional);
            writer.WriteNumberValue(trade.RealizedPnl);
            writer.WriteNumberValue(trade.Fees);
            if (trade.EntryTime is { } entry)
            {
                writer.WriteNumberValue(entry.UtcTicks);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static decimal NextDecimal(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.GetDecimal();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"Open trades: expected {what}, found {reader.TokenType}.");
        }
    }
}
