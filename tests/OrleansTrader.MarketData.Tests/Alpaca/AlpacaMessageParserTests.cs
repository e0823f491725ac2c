using System.Text;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.MarketData.Tests.Alpaca;

public sealed class AlpacaMessageParserTests
{
    private const string GoodTrade = """{"T":"t","S":"AAPL","i":7,"x":"D","p":126.55,"s":1,"c":["@"],"t":"2021-02-22T15:51:44Z","z":"C"}""";

    // A value of the wrong JSON shape left the reader inside it: the next read met a value where a property name belongs
    // and Utf8JsonReader.GetString threw InvalidOperationException, which nothing caught.
    [Theory]
    [InlineData("p", "\"126.55\"")]
    [InlineData("p", "{\"value\":126.55}")]
    [InlineData("p", "[126.55,1]")]
    [InlineData("t", "1613999504")]
    [InlineData("t", "{\"seconds\":1613999504}")]
    [InlineData("S", "[1,2]")]
    [InlineData("i", "{\"id\":[7]}")]
    [InlineData("c", "[\"@\",1,\"I\"]")]
    [InlineData("c", "[\"@\",[1],{\"a\":2}]")]
    public void TryParse_ReportsAFieldOfTheWrongShapeAsMalformed_AndParsesTheRestOfTheFrame(string field, string value)
    {
        // The bad value sits mid-object, with fields after it that must not be read as the next array elements.
        var fields = new List<(string Name, string Value)>
        {
            ("T", "\"t\""), ("S", "\"MSFT\""), ("i", "6"), ("x", "\"D\""), ("p", "410.1"), ("s", "2"), ("c", "[]"),
            ("t", "\"2021-02-22T15:51:43Z\""), ("z", "\"C\""),
        };
        var at = fields.FindIndex(f => f.Name == field);
        fields[at] = (field, value);
        var bad = "{" + string.Join(',', fields.Select(f => $"\"{f.Name}\":{f.Value}")) + "}";
        var frame = Encoding.UTF8.GetBytes($"[{bad},{GoodTrade}]");
        var output = new List<AlpacaParsedMessage>();

        var parsed = AlpacaMessageParser.TryParse(frame, output);

        Assert.True(parsed);
        Assert.Equal(2, output.Count);
        Assert.Equal((MalformedReason.InvalidMessage, (MarketDataEvent?)null), (output[0].Malformed, output[0].Data));
        Assert.Contains($"'{field}'", output[0].Detail, StringComparison.Ordinal);
        var trade = Assert.IsType<TradeEvent>(output[1].Data);
        Assert.Equal(("AAPL", 7L, 126.55m, 1m, "@"), (trade.Symbol, trade.SourceId, trade.Trade.Price, trade.Trade.Size, trade.Trade.Condition));
    }

    // A message type the parser does not map was judged by the field shapes of the types it does: Alpaca's LULD band ("l")
    // carries its indicator in "i" as a string, where a trade has its numeric id, so it was logged and counted as an
    // invalid message instead of a type skipped as unknown.
    [Fact]
    public void TryParse_ReportsATypeItDoesNotMap_AsUnknown_WhateverTheShapeOfItsFields()
    {
        const string Luld = """{"T":"l","S":"AAPL","u":130.5,"d":120.25,"i":"B","t":"2021-02-22T15:51:44.208123456Z","z":"C"}""";
        var frame = Encoding.UTF8.GetBytes($"[{Luld},{GoodTrade}]");
        var output = new List<AlpacaParsedMessage>();

        var parsed = AlpacaMessageParser.TryParse(frame, output);

        Assert.True(parsed);
        Assert.Equal(2, output.Count);
        Assert.Equal((MalformedReason.UnknownMessageType, "l"), (output[0].Malformed, output[0].Detail));
        Assert.Equal(7L, Assert.IsType<TradeEvent>(output[1].Data).SourceId);
    }

    // Utf8JsonReader checks only the JSON structure: text that is not UTF-8, or an escaped lone surrogate, reached
    // GetString, which threw InvalidOperationException out of the parser and ended the stream. <FF> stands for a 0xFF byte.
    [Theory]
    [InlineData("""{"T":"t","S":"AA<FF>PL","i":1,"x":"D","p":1,"s":1,"t":"2021-02-22T15:51:43Z"}""")]
    [InlineData("""{"T":"t","S":"\uD800","i":1,"x":"D","p":1,"s":1,"t":"2021-02-22T15:51:43Z"}""")]
    [InlineData("""{"T":"\uDC00x","S":"AAPL"}""")]
    [InlineData("""{"T":"t","S<FF>":"AAPL","i":1,"x":"D","p":1,"s":1,"t":"2021-02-22T15:51:43Z"}""")]
    [InlineData("""{"T":"t","\uD800":{"nested":[1]},"S":"AAPL","i":1,"x":"D","p":1,"s":1,"t":"2021-02-22T15:51:43Z"}""")]
    [InlineData("""{"T":"t","S":"AAPL","i":1,"x":"D","p":1,"s":1,"c":["@","\uD800","I"],"t":"2021-02-22T15:51:43Z"}""")]
    [InlineData("""{"T":"subscription","trades":["AAPL","<FF>"]}""")]
    // A bar in time's last minute has no representable end; Bar.End threw where the stream's reader tracked health.
    [InlineData("""{"T":"b","S":"SPY","o":1,"h":1,"l":1,"c":1,"v":1,"t":"9999-12-31T23:59:30Z"}""")]
    public void TryParse_ReportsAMessageWithUnreadableTextAsMalformed_AndParsesTheRestOfTheFrame(string bad)
    {
        var frame = Bytes($"[{bad},{GoodTrade}]");
        var output = new List<AlpacaParsedMessage>();

        var parsed = AlpacaMessageParser.TryParse(frame, output);

        Assert.True(parsed);
        Assert.Equal(2, output.Count);
        Assert.Equal((MalformedReason.InvalidMessage, (MarketDataEvent?)null), (output[0].Malformed, output[0].Data));
        var trade = Assert.IsType<TradeEvent>(output[1].Data);
        Assert.Equal(("AAPL", 7L, 126.55m), (trade.Symbol, trade.SourceId, trade.Trade.Price));
    }

    private static byte[] Bytes(string json)
    {
        var parts = json.Split("<FF>");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(parts[0]));
        foreach (var part in parts.Skip(1))
        {
            bytes.Add(0xFF);
            bytes.AddRange(Encoding.UTF8.GetBytes(part));
        }

        return [.. bytes];
    }
}
