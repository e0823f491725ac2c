using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class FuzzTests(GatewayFixture fixture)
{
    private static readonly JsonNode?[] BadNumbers =
    [
        "NaN", "Infinity", "-Infinity", "12", -1, 0, -0.0001, 1e20m, 1_000_001, 0.123456789012m, true, "abc", new JsonArray(), new JsonObject(),
    ];

    /// <summary>Risk limits have no upper bound below 1e12 and no decimal-place rule, so only values wrong for every limit.</summary>
    private static readonly JsonNode?[] BadLimitNumbers =
    [
        "NaN", "Infinity", "-Infinity", "12", -1, 0, -0.0001, 1e20m, true, "abc", new JsonArray(), new JsonObject(),
    ];

    private static readonly string[] FreeTextFields = ["clientOrderId", "accountId", "name", "reason", "strategyId", "kind"];

    private static readonly JsonNode?[] BadStrings =
    [
        1, -3, true, new JsonArray(), new JsonObject(), string.Empty, " ", new string('A', 10_000), "bad\u0001char", "unknown-value", "1",
    ];

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task WriteRoutes_AnswerOnly4xxProblemDetails_AndChangeNothing_ForThousandsOfMalformedRequests()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("FUZZ", 50m, 50.02m);
        var resting = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "fuzz-resting", symbol = "FUZZ", side = "buy", type = "limit", quantity = 10, limitPrice = 49.5m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var orderId = resting.GetProperty("orderId").GetString()!;
        var before = await StateAsync(account);

        var requests = Generate(account, orderId).ToList();
        Assert.True(requests.Count >= 2000, $"only {requests.Count} requests generated");
        var failures = new List<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (r, token) =>
        {
            using var message = new HttpRequestMessage(r.Method, r.Path);
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Host.AdminKey);
            if (r.Body is not null)
            {
                message.Content = new StringContent(r.Body, Encoding.UTF8, "application/json");
            }

            using var response = await Host.Client.SendAsync(message, token);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                var text = await response.Content.ReadAsStringAsync(token);
                lock (failures)
                {
                    failures.Add($"{r.Method} {r.Path} {Truncate(r.Body)} -> {status} {response.Content.Headers.ContentType?.MediaType}: {Truncate(text)}");
                }
            }
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.Equal(before, await StateAsync(account));
    }

    private async Task<string> StateAsync(string account)
    {
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey, null, HttpStatusCode.OK);
        var orders = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders?status=all", Host.AdminKey, null, HttpStatusCode.OK);
        var risk = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/risk", Host.AdminKey, null, HttpStatusCode.OK);
        var breaker = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker", Host.AdminKey, null, HttpStatusCode.OK);
        var strategies = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", Host.AdminKey, null, HttpStatusCode.OK);
        var figures = string.Join("|", new[] { "cash", "reserved", "realizedPnl", "fees", "tradingState", "openOrderCount", "lastEventSequence", "name" }
            .Select(p => snapshot.GetProperty(p).ToString()));
        return $"{figures}\n{orders}\n{risk}\n{breaker}\n{strategies}";
    }

    private static IEnumerable<(HttpMethod Method, string Path, string? Body)> Generate(string account, string orderId)
    {
        var order = new JsonObject
        {
            ["clientOrderId"] = "fuzz-1", ["symbol"] = "FUZZ", ["side"] = "buy", ["type"] = "limit", ["quantity"] = 1,
            ["limitPrice"] = 40m, ["timeInForce"] = "gtc",
        };
        var routes = new (HttpMethod Method, string Path, JsonObject Valid, string[] Numbers, string[] Strings)[]
        {
            (HttpMethod.Post, $"/api/accounts/{account}/orders", order,
                ["quantity", "limitPrice", "stopPrice", "trailPrice", "trailPercent"],
                ["clientOrderId", "symbol", "side", "type", "timeInForce", "orderClass"]),
            (HttpMethod.Patch, $"/api/accounts/{account}/orders/{orderId}", new JsonObject { ["limitPrice"] = 45m },
                ["quantity", "limitPrice", "stopPrice", "trailPrice", "trailPercent"], ["timeInForce", "clientOrderId"]),
            (HttpMethod.Post, "/api/accounts", new JsonObject { ["accountId"] = account, ["name"] = "dup", ["initialCash"] = 1000 },
                ["initialCash"], ["accountId", "name", "currency", "broker", "marginType"]),
            (HttpMethod.Put, $"/api/accounts/{account}/risk", new JsonObject { ["maxOrderNotional"] = 1000 },
                ["maxOrderNotional", "maxPositionNotional", "maxPositionPercentOfEquity", "maxOpenOrders", "priceBandPercent"], ["submitWindow", "maxQuoteAge"]),
            (HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", new JsonObject { ["reason"] = "fuzz", ["state"] = "halted" },
                [], ["reason", "state"]),
            (HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", new JsonObject { ["reason"] = "fuzz" }, [], ["reason", "state"]),
            (HttpMethod.Post, "/api/trading/halt", new JsonObject { ["reason"] = "fuzz" }, [], ["reason", "state"]),
            (HttpMethod.Post, $"/api/accounts/{account}/strategies", new JsonObject
                { ["strategyId"] = "fz", ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("FUZZ") }, [], ["strategyId", "kind"]),
            (HttpMethod.Post, "/api/keys", new JsonObject { ["name"] = "fuzz", ["roles"] = new JsonArray("trader"), ["accounts"] = new JsonArray(account) },
                [], ["name"]),
            (HttpMethod.Post, "/api/backtests", new JsonObject { ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("FUZZ"), ["source"] = "latest" },
                ["bars", "initialCash"], ["kind", "source", "barInterval", "fill", "start", "end"]),
            (HttpMethod.Post, "/api/backtests/sweep", new JsonObject
                {
                    ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("FUZZ"), ["grid"] = new JsonObject { ["fastPeriod"] = new JsonArray("2", "3") },
                },
                ["bars", "initialCash"], ["kind", "source", "barInterval", "rankBy", "start", "validation"]),
        };

        foreach (var route in routes)
        {
            foreach (var raw in MalformedBodies())
            {
                if (raw == "{}" && route.Path.EndsWith("/risk", StringComparison.Ordinal))
                {
                    continue;
                }

                yield return (route.Method, route.Path, raw);
            }

            foreach (var field in route.Numbers)
            {
                foreach (var bad in route.Path.EndsWith("/risk", StringComparison.Ordinal) ? BadLimitNumbers : BadNumbers)
                {
                    yield return (route.Method, route.Path, With(route.Valid, field, bad));
                }
            }

            foreach (var field in route.Strings)
            {
                foreach (var bad in BadStrings)
                {
                    if (IsAcceptable(field, bad))
                    {
                        continue;
                    }

                    yield return (route.Method, route.Path, With(route.Valid, field, bad));
                }
            }

            yield return (route.Method, route.Path, With(route.Valid, "unknownField", 1));
        }

        // Unknown accounts, bad account ids and bad symbols in the path.
        foreach (var path in new[] { "nobody-" + Guid.NewGuid().ToString("N")[..8], "bad%20id", new string('a', 65), "a.b" })
        {
            yield return (HttpMethod.Post, $"/api/accounts/{path}/orders", order.ToJsonString());
            yield return (HttpMethod.Put, $"/api/accounts/{path}/risk", "{\"maxOrderNotional\":1000}");
            yield return (HttpMethod.Post, $"/api/accounts/{path}/breaker/trip", "{\"reason\":\"x\"}");
            yield return (HttpMethod.Delete, $"/api/accounts/{path}/orders", null);
        }

        foreach (var symbol in new[] { "aapl", "TOO-LONG-SYMBOL", "1ABC", "A..B", "A%2F" })
        {
            yield return (HttpMethod.Delete, $"/api/accounts/{account}/positions/{symbol}", null);
        }

        // Random combinations of two bad fields in an order, deterministic by seed.
        var random = new Random(20261122);
        var orderFields = new[] { "clientOrderId", "symbol", "side", "type", "quantity", "limitPrice", "timeInForce", "trailPercent" };
        for (var i = 0; i < 1400; i++)
        {
            var body = (JsonObject)order.DeepClone();
            foreach (var field in orderFields.OrderBy(_ => random.Next()).Take(2))
            {
                var pool = field is "quantity" or "limitPrice" or "trailPercent" ? BadNumbers : BadStrings;
                body[field] = pool[random.Next(pool.Length)]?.DeepClone();
            }

            yield return (HttpMethod.Post, $"/api/accounts/{account}/orders", body.ToJsonString());
        }
    }

    /// <summary>Values that are valid for a field (so not a malformed request) are skipped.</summary>
    private static bool IsAcceptable(string field, JsonNode? value) =>
        FreeTextFields.Contains(field) && value is JsonValue v && v.TryGetValue<string>(out var text) && text is "1" or "unknown-value";

    private static IEnumerable<string> MalformedBodies()
    {
        yield return string.Empty;
        yield return "{";
        yield return "}";
        yield return "[]";
        yield return "null";
        yield return "\"text\"";
        yield return "42";
        yield return "{\"a\":}";
        yield return "{'single':'quotes'}";
        yield return "{\"quantity\": NaN}";
        yield return "{\"quantity\": Infinity}";
        yield return "{\"quantity\": 1e30}";
        yield return "{\"quantity\": 1e400}";
        yield return "{}";
        yield return new string('[', 5000) + new string(']', 5000);
        yield return "{\"name\":\"" + new string('x', 20_000) + "\"}";
        yield return "\u0000\u0001\u0002";
        yield return "{\"$type\":\"System.Object\"}";
    }

    private static string With(JsonObject valid, string field, JsonNode? value)
    {
        var body = (JsonObject)valid.DeepClone();
        body[field] = value?.DeepClone();
        return body.ToJsonString();
    }

    private static string Truncate(string? text) => text is null ? "(no body)" : text.Length > 200 ? text[..200] : text;
}
