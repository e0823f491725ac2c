using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Gateway.Validation;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A client generated from the OpenAPI document gets an enum type for every request field that takes one of a fixed set of
/// names, and every name the document lists is one the server takes: each is sent through the parser its endpoint uses, in an
/// otherwise valid body, and must not be refused.
/// </summary>
public sealed class OpenApiRequestEnumTests
{
    private const string Order = """{"clientOrderId":"enum-1","symbol":"ENUM","side":"buy","type":"market","quantity":1,"timeInForce":"day"}""";
    private const string Backtest = """{"kind":"sma-crossover","symbols":["ENUM"],"parameters":{"quantity":"1"}}""";

    // Each request schema's field that takes a fixed set of names, and whether a body is refused without it.
    private static readonly (string Schema, string Property, bool Required)[] Covered =
    [
        ("PlaceOrderRequest", "side", true), ("PlaceOrderRequest", "type", true), ("PlaceOrderRequest", "timeInForce", true),
        ("PlaceOrderRequest", "orderClass", false),
        ("PreviewOrderRequest", "side", true), ("PreviewOrderRequest", "type", true), ("PreviewOrderRequest", "timeInForce", true),
        ("PreviewOrderRequest", "orderClass", false),
        ("ReplaceOrderRequest", "timeInForce", false),
        ("BreakerTripRequest", "state", false), ("BreakerResetRequest", "state", false),
        ("CreateAccountRequest", "currency", false), ("CreateAccountRequest", "broker", false), ("CreateAccountRequest", "marginType", false),
        ("FeeModelRequest", "kind", true),
        ("RunBacktestRequest", "source", false), ("RunBacktestRequest", "barInterval", false), ("RunBacktestRequest", "fill", false),
        ("RunBacktestSweepRequest", "source", false), ("RunBacktestSweepRequest", "barInterval", false),
        ("RunBacktestSweepRequest", "fill", false), ("RunBacktestSweepRequest", "rankBy", false),
        ("CreateStrategyRequest", "barInterval", false),
    ];

    [Fact]
    public async Task RequestEnumFields_ListTheirNames_AndTheServerTakesEveryListedName()
    {
        await using var host = await GatewayHost.StartAsync();
        var document = await host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", host.AdminKey, null, HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var refused = new List<string>();
        foreach (var (schema, property, required) in Covered)
        {
            var field = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);
            Assert.True(field.TryGetProperty("enum", out var listed), $"{schema}.{property} lists no enum: {field}");
            var values = listed.EnumerateArray().ToList();
            Assert.Contains(values, v => v.ValueKind == JsonValueKind.String);

            // Left out, a field with a default may also be null; a required one may not (400 naming it).
            Assert.Equal(!required, values.Any(v => v.ValueKind == JsonValueKind.Null));
            foreach (var value in values)
            {
                var name = value.ValueKind == JsonValueKind.Null ? null : value.GetString();
                if (Refusal(schema, property, name) is { } refusal)
                {
                    refused.Add($"{schema}.{property} = {name ?? "null"}: {refusal}");
                }
            }
        }

        Assert.Empty(refused);
    }

    [Fact]
    public async Task RequestEnumNames_AreTheNamesAnswersUse()
    {
        await using var host = await GatewayHost.StartAsync();
        var document = await host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", host.AdminKey, null, HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        string[] Names(JsonElement schema) =>
            [.. schema.GetProperty("enum").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)];
        string[] RequestNames(string schema, string property) => Names(schemas.GetProperty(schema).GetProperty("properties").GetProperty(property));

        Assert.Equal(Names(schemas.GetProperty("OrderSide")), RequestNames("PlaceOrderRequest", "side"));
        Assert.Equal(Names(schemas.GetProperty("OrderType")), RequestNames("PlaceOrderRequest", "type"));
        Assert.Equal(Names(schemas.GetProperty("TimeInForce")), RequestNames("PlaceOrderRequest", "timeInForce"));
        Assert.Equal(Names(schemas.GetProperty("OrderClass")), RequestNames("PlaceOrderRequest", "orderClass"));
        Assert.Equal(["Reducing", "Halted"], RequestNames("BreakerTripRequest", "state"));
        Assert.Equal(["Active", "Reducing"], RequestNames("BreakerResetRequest", "state"));
        Assert.Subset(Names(schemas.GetProperty("TradingState")).ToHashSet(), RequestNames("BreakerTripRequest", "state").ToHashSet());
        Assert.Equal(["paper", "alpaca"], RequestNames("CreateAccountRequest", "broker"));
        Assert.Equal(["USD"], RequestNames("CreateAccountRequest", "currency"));
        Assert.Equal(["1s", "1m", "1d"], RequestNames("RunBacktestRequest", "barInterval"));
        Assert.Equal(["1s", "1m"], RequestNames("CreateStrategyRequest", "barInterval"));
    }

    /// <summary>What the endpoint's parser says of the field given <paramref name="name"/> (null: it takes it).</summary>
    private static string? Refusal(string schema, string property, string? name)
    {
        var errors = new ValidationErrors();
        var key = property;
        switch (schema)
        {
            case "PlaceOrderRequest":
                var placement = Body<PlaceOrderRequest>(Order, property, name);
                RequestMapping.ToOrderRequest(placement, placement.ClientOrderId, errors);
                break;
            case "PreviewOrderRequest":
                var preview = Body<PreviewOrderRequest>(Order, property, name);
                RequestMapping.ToOrderRequest(preview, preview.ClientOrderId, errors);
                break;
            case "ReplaceOrderRequest":
                RequestMapping.ToReplacement(Body<ReplaceOrderRequest>("""{"quantity":2}""", property, name), errors);
                break;
            case "BreakerTripRequest":
                RequestMapping.ToTripState(Body<BreakerTripRequest>("""{"reason":"enum"}""", property, name), errors);
                break;
            case "BreakerResetRequest":
                RequestMapping.ToResetState(Body<BreakerResetRequest>("""{"reason":"enum"}""", property, name), errors);
                break;
            case "CreateAccountRequest":
                // Where the host allows Alpaca accounts (Gateway:AllowAlpacaAccounts), as the field's description says.
                RequestMapping.ToOpenAccount(Body<CreateAccountRequest>("""{"name":"Enum","initialCash":1000}""", property, name), allowAlpaca: true, errors);
                break;
            case "FeeModelRequest":
                var account = JsonNode.Parse("""{"name":"Enum","initialCash":1000,"feeModel":{}}""")!.AsObject();
                account["feeModel"]![property] = name;
                RequestMapping.ToOpenAccount(Deserialize<CreateAccountRequest>(account), allowAlpaca: false, errors);
                key = $"feeModel.{property}";
                break;
            case "RunBacktestRequest":
                RequestMapping.ToRunBacktest(Body<RunBacktestRequest>(BacktestFor(property, name), property, name), errors);
                break;
            case "RunBacktestSweepRequest":
                var sweep = JsonNode.Parse(BacktestFor(property, name))!.AsObject();
                sweep["grid"] = new JsonObject { ["fastPeriod"] = new JsonArray("2", "3") };
                RequestMapping.ToRunBacktestSweep(Body<RunBacktestSweepRequest>(sweep.ToJsonString(), property, name), errors);
                break;
            case "CreateStrategyRequest":
                RequestMapping.ToCreateStrategy(Body<CreateStrategyRequest>(Backtest, property, name), errors);
                break;
            default:
                throw new InvalidOperationException($"No parser for {schema}.");
        }

        return errors.Has(key) ? string.Join("; ", errors.ToDictionary()[key]) : null;
    }

    // A day bar is read from files only, as the field's description says.
    private static string BacktestFor(string property, string? name) =>
        property == "barInterval" && name == "1d" ? """{"kind":"sma-crossover","symbols":["ENUM"],"parameters":{"quantity":"1"},"source":"Files"}""" : Backtest;

    private static T Body<T>(string valid, string property, string? name)
    {
        var body = JsonNode.Parse(valid)!.AsObject();
        body[property] = name;
        return Deserialize<T>(body);
    }

    private static T Deserialize<T>(JsonObject body) =>
        (T)JsonSerializer.Deserialize(body.ToJsonString(), typeof(T), GatewayJsonContext.Default)!;
}
