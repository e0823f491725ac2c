using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Domain.Market;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A client generated from the OpenAPI document must send what the API refuses a body without, and only that: a request
/// body schema's <c>required</c> is exactly the fields whose absence the API answers with a 400 naming the field.
/// Learned from the API itself: each operation's valid body is accepted, then sent again without each field in turn.
/// </summary>
public sealed class OpenApiRequestRequiredTests
{
    [Fact]
    public async Task RequestBodySchemas_RequireExactlyTheFieldsTheApiRefusesABodyWithout()
    {
        // Its own host: the table halts and resumes trading globally.
        await using var host = await GatewayHost.StartAsync();
        var document = await host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", host.AdminKey, null, HttpStatusCode.OK);
        var account = await host.CreateAccountAsync();
        var tripped = await host.CreateAccountAsync();
        await host.QuoteAsync("REQO", 50m, 50.02m);
        var working = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new
        {
            clientOrderId = "req-working", symbol = "REQO", side = "buy", type = "limit", quantity = 1, limitPrice = 46m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var t0 = DateTimeOffset.UnixEpoch.AddMinutes(29_200_000);
        var bars = Enumerable.Range(0, 60).Select(i =>
        {
            var close = 50m + Math.Round((decimal)Math.Sin(i / 2.0) * 2m, 4);
            return new Bar("REQB", t0.AddMinutes(i), TimeSpan.FromMinutes(1), close, close, close, close, 100m, 1);
        }).ToList();
        Assert.Equal(60, (await host.Grains.GetGrain<ISymbolGrain>("REQB").IngestAsync(new TickBatch { Bars = bars })).Accepted);
        string Time(int minutes) => t0.AddMinutes(minutes).ToString("O", CultureInfo.InvariantCulture);

        // One plain valid body per operation, in the order sent (the global halt last, then its resume). A field required only
        // with another (limitPrice with a limit order, accounts with a trader key) is left out: its removal would be refused
        // although the schema rightly does not require it. A field a valid body lacks is shown optional by its acceptance.
        var a = $"/api/accounts/{account}";
        var operations = new (string Method, string Template, string Path, string Body)[]
        {
            ("post", "/api/accounts", "/api/accounts",
                """{"accountId":"req-acct","name":"Required","initialCash":1000,"currency":"USD","broker":"paper","marginType":"cash","feeModel":{"kind":"perShare","perShareRate":0.005,"minimumPerOrder":1,"maxPercentOfNotional":1,"includeRegulatoryFees":true},"riskLimits":{"maxOpenOrders":50},"breakerPolicy":{"dailyLossLimit":5000}}"""),
            ("post", "/api/accounts/{accountId}/orders", $"{a}/orders",
                """{"clientOrderId":"req-1","symbol":"REQO","side":"buy","type":"market","quantity":1,"timeInForce":"day","orderClass":"simple","extendedHours":false}"""),
            ("post", "/api/accounts/{accountId}/orders/preview", $"{a}/orders/preview",
                """{"clientOrderId":"req-preview","symbol":"REQO","side":"buy","type":"market","quantity":1,"timeInForce":"day","orderClass":"simple","extendedHours":false}"""),
            ("patch", "/api/accounts/{accountId}/orders/{orderId}", $"{a}/orders/{working.GetProperty("orderId").GetString()}",
                """{"quantity":2,"limitPrice":46.5}"""),
            ("put", "/api/accounts/{accountId}/risk", $"{a}/risk", """{"maxOpenOrders":60,"allowShortSelling":true}"""),
            ("put", "/api/accounts/{accountId}/breaker/policy", $"{a}/breaker/policy", """{"dailyLossLimit":6000,"minErrorSamples":20}"""),
            ("post", "/api/accounts/{accountId}/breaker/trip", $"/api/accounts/{tripped}/breaker/trip", """{"state":"reducing","reason":"required fields"}"""),
            ("post", "/api/accounts/{accountId}/breaker/reset", $"/api/accounts/{tripped}/breaker/reset", """{"state":"active","reason":"required fields","force":true}"""),
            ("post", "/api/accounts/{accountId}/transfers", $"{a}/transfers", """{"transferId":"req-t","amount":100,"note":"required fields"}"""),
            ("post", "/api/accounts/{accountId}/webhooks", $"{a}/webhooks",
                """{"webhookId":"req-hook","url":"https://receiver.example.invalid/hook","kinds":["orderUpdated"],"description":"required fields"}"""),
            ("post", "/api/accounts/{accountId}/webhooks/{webhookId}/rotate-secret", $"{a}/webhooks/req-hook/rotate-secret",
                """{"previousSecretValidForSeconds":0}"""),
            ("post", "/api/accounts/{accountId}/strategies", $"{a}/strategies",
                """{"strategyId":"req-s","kind":"sma-crossover","symbols":["REQO"],"parameters":{"quantity":"1"},"barInterval":"1m","start":false}"""),
            ("put", "/api/accounts/{accountId}/strategies/{strategyId}/parameters", $"{a}/strategies/req-s/parameters", """{"parameters":{"quantity":"2"}}"""),
            ("post", "/api/keys", "/api/keys", """{"name":"required fields","roles":["admin"],"accounts":["*"]}"""),
            ("post", "/api/backtests", "/api/backtests",
                $$$"""{"kind":"sma-crossover","symbols":["REQB"],"parameters":{"quantity":"1","fastPeriod":"2","slowPeriod":"5"},"source":"latest","barInterval":"1m","bars":30,"start":"{{{Time(0)}}}","end":"{{{Time(60)}}}","initialCash":10000,"feeModel":{"kind":"zeroCommission"},"fill":"nextBarOpen","slippageBps":1}"""),
            ("post", "/api/backtests/sweep", "/api/backtests/sweep",
                $$$"""{"kind":"sma-crossover","symbols":["REQB"],"parameters":{"quantity":"1","slowPeriod":"5"},"grid":{"fastPeriod":["2","3"]},"rankBy":"netPnl","bars":30,"validation":{"start":"{{{Time(0)}}}","end":"{{{Time(30)}}}"}}"""),
            ("post", "/api/trading/halt", "/api/trading/halt", """{"state":"halted","reason":"required fields"}"""),
            ("post", "/api/trading/resume", "/api/trading/resume", """{"state":"active","reason":"required fields","force":true}"""),
        };

        var withBody = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(operation => operation.Value.TryGetProperty("requestBody", out _))
                .Select(operation => $"{operation.Name} {path.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(withBody, operations.Select(o => $"{o.Method} {o.Template}").Order(StringComparer.Ordinal));

        var mismatches = new List<string>();
        foreach (var (method, template, path, body) in operations)
        {
            var operation = document.GetProperty("paths").GetProperty(template).GetProperty(method);
            var schema = ObjectSchema(document, operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            Assert.NotNull(schema);
            var valid = JsonNode.Parse(body)!.AsObject();
            using (var accepted = await host.SendAsync(new HttpMethod(method.ToUpperInvariant()), path, host.AdminKey, valid.ToJsonString()))
            {
                Assert.True(accepted.IsSuccessStatusCode,
                    $"{method.ToUpperInvariant()} {template}: the valid body got {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            }

            await CompareAsync(host, document, $"{method.ToUpperInvariant()} {template}", new HttpMethod(method.ToUpperInvariant()), path, valid, valid, schema.Value, prefix: null, mismatches);
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));

        // What a schema's required cannot say, a field required only with another says where a generated client shows it.
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (schemaName, field, words) in new[]
        {
            ("PlaceOrderRequest", "limitPrice", "limit or stopLimit"), ("PreviewOrderRequest", "stopPrice", "stop or stopLimit"),
            ("PlaceOrderRequest", "trailPercent", "trailingStop"), ("IssueApiKeyRequest", "accounts", "trader or risk"),
            ("ExitLegRequest", "limitPrice", "takeProfit"),
        })
        {
            var description = schemas.GetProperty(schemaName).GetProperty("properties").GetProperty(field).TryGetProperty("description", out var text) ? text.GetString() : null;
            Assert.True(description?.Contains(words, StringComparison.Ordinal) == true, $"{schemaName}.{field} does not say when it is required: {description}");
        }
    }

    /// <summary>
    /// For each field of <paramref name="container"/> (the body's root or an object in it): its removal from the body is a
    /// 400 naming it exactly when the schema requires it. A field in an object is named as "object.field", or by its object
    /// (a sweep's validation window names "validation" for a missing start or end). Objects in the body are checked too.
    /// </summary>
    private static async Task CompareAsync(
        GatewayHost host, JsonElement document, string operation, HttpMethod method, string path, JsonObject body, JsonObject container,
        JsonElement schema, string? prefix, List<string> mismatches)
    {
        var required = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal) : [];
        var declared = schema.GetProperty("properties");
        foreach (var name in required.Where(r => !container.ContainsKey(r)))
        {
            mismatches.Add($"{operation}: '{Field(prefix, name)}' is required by the schema, but a body without it was accepted.");
        }

        foreach (var name in container.Select(p => p.Key).ToList())
        {
            var field = Field(prefix, name);
            var index = container.IndexOf(name);
            var value = container[name];
            container.Remove(name);
            using var response = await host.SendAsync(method, path, host.AdminKey, body.ToJsonString());
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            container.Insert(index, name, value);

            var named = response.StatusCode == HttpStatusCode.BadRequest
                && JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors)
                && errors.EnumerateObject().Any(e => e.Name == field || (prefix is not null && e.Name == prefix));
            if (named != required.Contains(name))
            {
                mismatches.Add(named
                    ? $"{operation}: without '{field}' the API answers 400 naming it, but the schema does not require it: {text}"
                    : $"{operation}: the schema requires '{field}', but without it the API answers {(int)response.StatusCode}: {text}");
            }

            if (value is JsonObject inner && declared.TryGetProperty(name, out var property) && ObjectSchema(document, property) is { } innerSchema)
            {
                await CompareAsync(host, document, operation, method, path, body, inner, innerSchema, field, mismatches);
            }
        }
    }

    private static string Field(string? prefix, string name) => prefix is null ? name : prefix + "." + name;

    /// <summary>The object schema with named properties a schema stands for (through a $ref, or a nullable oneOf), or null for
    /// any other (a map such as "parameters", a scalar).</summary>
    private static JsonElement? ObjectSchema(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return ObjectSchema(document, document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..]));
        }

        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(keyword, out var branches))
            {
                return branches.EnumerateArray().Select(b => ObjectSchema(document, b)).FirstOrDefault(b => b is not null);
            }
        }

        return schema.TryGetProperty("properties", out _) ? schema : null;
    }
}
