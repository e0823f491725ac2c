using System.Text.Json;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Time;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>One page of <c>GET /v2/stocks/{symbol}/bars</c>: <c>{"bars":[{t,o,h,l,c,v,n,vw}],"symbol":..,"next_page_token":..}</c>.</summary>
internal sealed record AlpacaBarsPage(IReadOnlyList<Bar> Bars, string? NextPageToken)
{
    public static AlpacaBarsPage Parse(ReadOnlySpan<byte> json, string symbol, TimeSpan interval)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        var bars = new List<Bar>();
        string? token = null;
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "response is not an object");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "next_page_token":
                    token = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "bars" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        bars.Add(ParseBar(ref reader, symbol, interval));
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new AlpacaBarsPage(bars, string.IsNullOrEmpty(token) ? null : token);
    }

    private static Bar ParseBar(ref Utf8JsonReader reader, string symbol, TimeSpan interval)
    {
        Expect(reader.TokenType == JsonTokenType.StartObject, "bar is not an object");
        DateTimeOffset? time = null;
        decimal? open = null, high = null, low = null, close = null, volume = null;
        var trades = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "t":
                    Expect(IsoTimestamp.TryParse(reader.GetString(), out var t), "bar has an invalid timestamp");
                    time = t;
                    break;
                case "o": open = reader.GetDecimal(); break;
                case "h": high = reader.GetDecimal(); break;
                case "l": low = reader.GetDecimal(); break;
                case "c": close = reader.GetDecimal(); break;
                case "v": volume = reader.GetDecimal(); break;
                case "n": trades = reader.GetInt32(); break;
                default: reader.Skip(); break;
            }
        }

        Expect(time is not null && open is not null && high is not null && low is not null && close is not null && volume is not null,
            "bar lacks one of t, o, h, l, c, v");
        return new Bar(symbol, time!.Value, interval, open!.Value, high!.Value, low!.Value, close!.Value, volume!.Value, trades);
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new JsonException($"Alpaca bars response: {message}.");
        }
    }
}
