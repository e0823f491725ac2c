using System.Text;
using System.Text.Json;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Time;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>
/// Parses Alpaca stream frames (a JSON array of objects tagged by "T") with <see cref="Utf8JsonReader"/>: the
/// message type selects a fixed mapping, nothing is resolved from type names in the payload.
/// </summary>
internal static class AlpacaMessageParser
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    private static readonly HashSet<string> MappedTypes = new(StringComparer.Ordinal) { "t", "q", "b", "c", "x", "success", "error", "subscription" };

    /// <summary>Appends every element of <paramref name="frame"/> to <paramref name="output"/>; returns false when the frame itself is not a JSON array.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, List<AlpacaParsedMessage> output)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    output.Add(new AlpacaParsedMessage(null, null, MalformedReason.InvalidMessage, "array element is not an object"));
                    continue;
                }

                output.Add(ParseObject(ref reader));
            }

            return true;
        }
        catch (JsonException ex)
        {
            output.Add(new AlpacaParsedMessage(null, null, MalformedReason.InvalidMessage, ex.Message));
            return false;
        }
    }

    private static AlpacaParsedMessage ParseObject(ref Utf8JsonReader reader)
    {
        var f = default(Fields);
        string? error = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (!TryGetText(ref reader, out var name))
            {
                reader.Read();
                reader.Skip();
                error ??= "a field name is not valid text";
                continue;
            }

            reader.Read();
            if (!TryReadField(ref reader, name ?? string.Empty, ref f))
            {
                // Step over a value of the wrong shape (an object or array where a scalar belongs) whole, so the next read
                // is this object's next property and not something inside the bad value.
                reader.Skip();
                error ??= $"field '{name}' has an unexpected value";
            }
        }

        if (error is not null)
        {
            // Field shapes are those of the types mapped below: a type this parser does not map (an LULD's "i" is a
            // text indicator, a trade's a number) is skipped as unknown, not judged by them.
            return f.Type is not null && !MappedTypes.Contains(f.Type)
                ? new AlpacaParsedMessage(null, null, MalformedReason.UnknownMessageType, f.Type)
                : new AlpacaParsedMessage(null, null, MalformedReason.InvalidMessage, error);
        }

        try
        {
            return f.Type switch
            {
                "t" => Data(new TradeEvent(
                    new TradeTick(Required(f.Symbol), Time(f.Time), Required(f.Price), Required(f.Size), f.Exchange, f.Conditions),
                    Required(f.Id),
                    f.Tape)),
                "q" => Data(new QuoteEvent(
                    new QuoteTick(Required(f.Symbol), Time(f.Time), Required(f.BidPrice), Required(f.BidSize), Required(f.AskPrice),
                        Required(f.AskSize), f.BidExchange ?? f.AskExchange, f.Conditions),
                    null,
                    f.Tape)),
                "b" => Data(new BarEvent(
                    new Bar(Required(f.Symbol), BarStart(f.Time), OneMinute, Required(f.Open), Required(f.High), Required(f.Low),
                        Required(f.Close), Required(f.Volume), (int)(f.TradeCount ?? 0)),
                    f.Vwap)),
                "c" => Data(new TradeCorrectionEvent
                {
                    TradeSymbol = Required(f.Symbol),
                    Timestamp = Time(f.Time),
                    Exchange = f.Exchange,
                    Tape = f.Tape,
                    OriginalId = Required(f.OriginalId),
                    OriginalPrice = Required(f.OriginalPrice),
                    OriginalSize = Required(f.OriginalSize),
                    OriginalConditions = f.OriginalConditions,
                    CorrectedId = Required(f.CorrectedId),
                    CorrectedPrice = Required(f.CorrectedPrice),
                    CorrectedSize = Required(f.CorrectedSize),
                    CorrectedConditions = f.CorrectedConditions,
                }),
                "x" => Data(new TradeCancelEvent
                {
                    TradeSymbol = Required(f.Symbol),
                    Timestamp = Time(f.Time),
                    Exchange = f.Exchange,
                    Tape = f.Tape,
                    TradeId = Required(f.Id),
                    Price = Required(f.Price),
                    Size = Required(f.Size),
                    Action = Required(f.Action),
                }),
                "success" or "error" or "subscription" => new AlpacaParsedMessage(
                    null,
                    new AlpacaControlMessage(f.Type, f.Message, f.Code, f.Trades ?? [], f.Quotes ?? [], f.Bars ?? [])),
                null => new AlpacaParsedMessage(null, null, MalformedReason.InvalidMessage, "message without \"T\""),
                _ => new AlpacaParsedMessage(null, null, MalformedReason.UnknownMessageType, f.Type),
            };
        }
        catch (FormatException ex)
        {
            return new AlpacaParsedMessage(null, null, MalformedReason.InvalidMessage, $"type '{f.Type}': {ex.Message}");
        }
    }

    private static bool TryReadField(ref Utf8JsonReader reader, string name, ref Fields f)
    {
        switch (name)
        {
            case "T": return String(ref reader, out f.Type);
            case "S": return String(ref reader, out f.Symbol);
            case "x": return String(ref reader, out f.Exchange);
            case "bx": return String(ref reader, out f.BidExchange);
            case "ax": return String(ref reader, out f.AskExchange);
            case "z": return String(ref reader, out f.Tape);
            case "t": return String(ref reader, out f.Time);
            case "a": return String(ref reader, out f.Action);
            case "msg": return String(ref reader, out f.Message);
            case "i": return Int64(ref reader, out f.Id);
            case "oi": return Int64(ref reader, out f.OriginalId);
            case "ci": return Int64(ref reader, out f.CorrectedId);
            case "n": return Int64(ref reader, out f.TradeCount);
            case "code":
                var ok = Int64(ref reader, out var code);
                f.Code = (int?)code;
                return ok;
            case "p": return Decimal(ref reader, out f.Price);
            case "s": return Decimal(ref reader, out f.Size);
            case "bp": return Decimal(ref reader, out f.BidPrice);
            case "bs": return Decimal(ref reader, out f.BidSize);
            case "ap": return Decimal(ref reader, out f.AskPrice);
            case "as": return Decimal(ref reader, out f.AskSize);
            case "o": return Decimal(ref reader, out f.Open);
            case "h": return Decimal(ref reader, out f.High);
            case "l": return Decimal(ref reader, out f.Low);
            case "v": return Decimal(ref reader, out f.Volume);
            case "vw": return Decimal(ref reader, out f.Vwap);
            case "op": return Decimal(ref reader, out f.OriginalPrice);
            case "os": return Decimal(ref reader, out f.OriginalSize);
            case "cp": return Decimal(ref reader, out f.CorrectedPrice);
            case "cs": return Decimal(ref reader, out f.CorrectedSize);
            case "oc": return Conditions(ref reader, out f.OriginalConditions);
            case "cc": return Conditions(ref reader, out f.CorrectedConditions);
            case "trades": return Strings(ref reader, out f.Trades);
            case "quotes": return Strings(ref reader, out f.Quotes);
            case "bars": return Strings(ref reader, out f.Bars);
            case "c":
                // "c" is the close of a bar and the condition list of a trade or quote.
                if (reader.TokenType == JsonTokenType.Number)
                {
                    return Decimal(ref reader, out f.Close);
                }

                return Conditions(ref reader, out f.Conditions);
            default:
                reader.Skip();
                return true;
        }
    }

    private static bool String(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        return reader.TokenType switch
        {
            JsonTokenType.String => TryGetText(ref reader, out value),
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.GetString"/> throws <see cref="InvalidOperationException"/> for bytes that are not UTF-8
    /// or an escaped lone surrogate ("\uD800"): the reader checks only the JSON structure, so such text reaches us as a
    /// well-formed string and must be reported as a bad value instead of ending the stream.
    /// </summary>
    private static bool TryGetText(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    private static bool Int64(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static bool Decimal(ref Utf8JsonReader reader, out decimal? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static bool Conditions(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!Strings(ref reader, out var list))
        {
            return false;
        }

        value = list is { Count: > 0 } ? string.Join(',', list) : null;
        return true;
    }

    private static bool Strings(ref Utf8JsonReader reader, out List<string>? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        value = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || !TryGetText(ref reader, out var element))
            {
                // Leave the reader on the list's closing bracket, past any element of the wrong shape or unreadable text.
                do
                {
                    reader.Skip();
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

                return false;
            }

            value.Add(element!);
        }

        return true;
    }

    private static AlpacaParsedMessage Data(MarketDataEvent data) => new(data, null);

    private static T Required<T>(T? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string field = "")
        where T : struct =>
        value ?? throw new FormatException($"missing {field}");

    private static string Required(string? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string field = "") =>
        value ?? throw new FormatException($"missing {field}");

    private static DateTimeOffset Time(string? value) =>
        value is not null && IsoTimestamp.TryParse(value, out var time) ? time : throw new FormatException($"invalid timestamp '{value}'");

    // Bar.End (start + interval) must be a time too: past DateTimeOffset.MaxValue it throws wherever it is read, which
    // for the stream is the reader itself (health tracking), so a start in the bar's last minute of time is malformed.
    private static DateTimeOffset BarStart(string? value)
    {
        var start = Time(value);
        return start <= DateTimeOffset.MaxValue - OneMinute ? start : throw new FormatException($"bar start '{value}' has no end");
    }

    private struct Fields
    {
        public string? Type;
        public string? Symbol;
        public string? Exchange;
        public string? BidExchange;
        public string? AskExchange;
        public string? Tape;
        public string? Time;
        public string? Action;
        public string? Message;
        public string? Conditions;
        public string? OriginalConditions;
        public string? CorrectedConditions;
        public long? Id;
        public long? OriginalId;
        public long? CorrectedId;
        public long? TradeCount;
        public int? Code;
        public decimal? Price;
        public decimal? Size;
        public decimal? BidPrice;
        public decimal? BidSize;
        public decimal? AskPrice;
        public decimal? AskSize;
        public decimal? Open;
        public decimal? High;
        public decimal? Low;
        public decimal? Close;
        public decimal? Volume;
        public decimal? Vwap;
        public decimal? OriginalPrice;
        public decimal? OriginalSize;
        public decimal? CorrectedPrice;
        public decimal? CorrectedSize;
        public List<string>? Trades;
        public List<string>? Quotes;
        public List<string>? Bars;
    }
}
