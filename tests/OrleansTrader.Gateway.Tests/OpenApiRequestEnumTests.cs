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

    // Request fields that are lists of such names: each item is one of them.
    private static readonly (string Schema, string Property)[] CoveredItems =
    [
        ("CreateWebhookRequest", "kinds"), ("IssueApiKeyRequest", "roles"),
    ];

    // Query parameters that take such a name: (operationId, parameter).
    private static readonly (string Operation, string Parameter)[] CoveredParameters =
    [
        ("GetOrders", "status"),
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

        foreach (var (schema, property) in CoveredItems)
        {
            var items = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("items");
            foreach (var name in Listed(items, $"{schema}.{property} items"))
            {
                var errors = new ValidationErrors();
                var body = JsonNode.Parse(schema == "CreateWebhookRequest"
                    ? """{"url":"https://example.com/hook"}"""
                    : """{"name":"Enum","accounts":["*"]}""")!.AsObject();
                body[property] = new JsonArray(name);
                if (schema == "CreateWebhookRequest")
                {
                    RequestMapping.ToWebhookKinds(Deserialize<CreateWebhookRequest>(body), errors);
                }
                else
                {
                    RequestMapping.ToKey(Deserialize<IssueApiKeyRequest>(body), errors);
                }

                if (errors.Has(property))
                {
                    refused.Add($"{schema}.{property} = [{name}]: {string.Join("; ", errors.ToDictionary()[property])}");
                }
            }
        }

        foreach (var (operation, parameter) in CoveredParameters)
        {
            foreach (var name in Listed(Parameter(document, operation, parameter).GetProperty("schema"), $"{operation} {parameter}"))
            {
                var errors = new ValidationErrors();
                RequestMapping.ToOrderStatusFilter(name, errors);
                if (errors.Has(parameter))
                {
                    refused.Add($"{operation} {parameter} = {name}: {string.Join("; ", errors.ToDictionary()[parameter])}");
                }
            }
        }

        Assert.Empty(refused);
    }

    /// <summary>The names a schema lists as its enum, which has no null: an item or a query parameter is never null.</summary>
    private static List<string> Listed(JsonElement schema, string what)
    {
        Assert.True(schema.TryGetProperty("enum", out var listed), $"{what} lists no enum: {schema}");
        var values = listed.EnumerateArray().ToList();
        Assert.All(values, v => Assert.Equal(JsonValueKind.String, v.ValueKind));
        Assert.NotEmpty(values);
        return [.. values.Select(v => v.GetString()!)];
    }

    private static JsonElement Parameter(JsonElement document, string operationId, string name)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Value.ValueKind == JsonValueKind.Object && operation.Value.TryGetProperty("operationId", out var id)
                    && id.GetString() == operationId)
                {
                    return operation.Value.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
                }
            }
        }

        throw new InvalidOperationException($"No operation {operationId}.");
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
        Assert.Equal(Names(schemas.GetProperty("AccountEventKind")), Names(schemas.GetProperty("CreateWebhookRequest").GetProperty("properties").GetProperty("kinds").GetProperty("items")));
        Assert.Equal(["trader", "risk", "admin"], Names(schemas.GetProperty("IssueApiKeyRequest").GetProperty("properties").GetProperty("roles").GetProperty("items")));
        Assert.Equal(["All", "Open", "Closed"], Names(Parameter(document, "GetOrders", "status").GetProperty("schema")));
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
