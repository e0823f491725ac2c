using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Every route, with extreme or malformed query values, path segments and body values (as raw JSON text, so numbers no
/// .NET type holds can be sent): the gateway answers a problem-details 4xx or a 2xx, never a 5xx, and never hangs.
/// FuzzTests covers the write routes' usual mistakes; this covers what it leaves out. Deterministic (fixed values and seed).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EndpointFuzzTests(GatewayFixture fixture)
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Query values no integer parameter (a limit, a sequence) takes; each must be a 4xx there. (Leading and trailing
    /// spaces are taken, as the framework's binding does.) Beyond int, only for an int.
    /// </summary>
    private static readonly string[] BadNumberQueries =
    [
        "", "abc", "-1", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999",
        "1e30", "1.5", "0x10", "%00", "%E2%80%AE1", "NaN", "Infinity", "١",
    ];

    private static readonly string[] OddQueries =
    [
        "0", "-0", "2147483647", "-2147483648", "9223372036854775807", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30",
        "yesterday", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999%2B14:00", "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59-14:00",
        "-9999-01-01", "1970-01-01T00:00:00%2B14:00", "a%2Fb", "..", "%2E%2E", "%25", "1%20", "%201", "%FF%FE", "a;b", "ü", "ＡＡＰＬ", "AAPL%0A",
        new string('9', 400), new string('x', 10_000), "true", "TRUE", "null", "[]", "{}",
    ];

    private static readonly string[] OddSegments =
    [
        "a%2Fb", "a%20b", "%FF", "...", "%C3%BC", "a%3Bb", "a%25b", "%E2%80%AE", "CON", "-", "_", "key_%2E",
        new string('a', 65), new string('a', 10_000), "BRK.B", "aapl", "A-B", "%F0%9F%98%80", "a:b", "a.b",
    ];

    /// <summary>JSON values as raw text: wrong types, nulls, extreme and unrepresentable numbers, odd strings.</summary>
    private static readonly string[] OddValues =
    [
        "null", "true", "\"\"", "\" \"", "[]", "{}", "[1]", "{\"a\":1}", "0", "-0", "-0.0", "1e30", "-1e30", "1E+400", "1e-400",
        "79228162514264337593543950336", "-79228162514264337593543950336", "79228162514264337593543950335", "0.0000000000000000000000000001",
        "0.00000000000000000000000000001", "9223372036854775808", "-9223372036854775809", "2147483648", "-1", "1.5", "\"1\"", "\"abc\"",
        "\"\\u0000\"", "\"\\u202e\"", "\"\\ud800\"", "\"𝔘𝔫𝔦𝔠𝔬𝔡𝔢\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.9999999+14:00\"",
        "\"0001-01-01T00:00:00-14:00\"", "\"9999-12-31T23:59:59-14:00\"", "\"10000-01-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"",
        "\"yesterday\"", "\"-00:00:01\"", "\"10675199.02:48:05.4775807\"", "\"-10675199.02:48:05.4775808\"", "\"99:99:99\"",
        "\"" + new string('x', 5_000) + "\"", "\"a/b\"", "\"../../etc\"", "\"http://127.0.0.1:0/\"", "\"ftp://x\"",
        "[\"" + new string('A', 100) + "\"]", "[null]", "[[]]", "{\"\":\"\"}", "{\"fastPeriod\":[]}", "{\"x\":null}",
    ];

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task EveryRoute_AnswersA4xxProblemOrA2xx_NeverA5xxOrAHang_ForExtremeQueriesPathsAndBodies()
    {
        var account = await Host.CreateAccountAsync();
        var other = await Host.CreateAccountAsync();
        await Host.QuoteAsync("FZQ", 50m, 50.02m);
        var resting = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "fzq-resting", symbol = "FZQ", side = "buy", type = "limit", quantity = 10, limitPrice = 49.5m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var orderId = resting.GetProperty("orderId").GetString()!;
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "fzq", kind = "sma-crossover", symbols = new[] { "FZQ" }, parameters = new Dictionary<string, string> { ["quantity"] = "1" },
            start = false,
        }, HttpStatusCode.Created);

        var requests = Generate(account, other, orderId).ToList();
        var failures = new List<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken },
            async (r, token) =>
            {
                if (await CheckAsync(r, token) is { } failure)
                {
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            });

        Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} requests:\n" + string.Join("\n", failures.Take(40)));
    }

    private async Task<string?> CheckAsync(FuzzRequest r, CancellationToken token)
    {
        // A NUL in the path is refused by Kestrel before routing; the TestServer throws on it instead, so none is sent.
        using var message = new HttpRequestMessage(r.Method, r.Path);
        message.Headers.TryAddWithoutValidation("Authorization", r.Authorization ?? "Bearer " + Host.AdminKey);
        if (r.LastEventId is not null)
        {
            message.Headers.TryAddWithoutValidation("Last-Event-ID", r.LastEventId);
        }

        if (r.Body is not null)
        {
            message.Content = new StringContent(r.Body, Encoding.UTF8);
            message.Content.Headers.Remove("Content-Type");
            message.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(HangBound);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await Host.Client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(token);
            var media = response.Content.Headers.ContentType?.MediaType;
            var problem = status >= 500
                ? "a server error"
                : r.MustFail && status < 400 ? "a success for an invalid request"
                : status >= 400 && media != "application/problem+json" ? "an error that is not problem details"
                : status is 404 or 409 or 422 && !HasReason(text) ? "a refusal without a reason"
                : null;
            return problem is null ? null : $"{problem}: {r.Method} {Truncate(r.Path)} ({r.ContentType}) {Truncate(r.Body)} -> {status} {media}: {Truncate(text)}";
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return $"a hang ({Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s): {r.Method} {Truncate(r.Path)} {Truncate(r.Body)}";
        }
    }

    private static bool HasReason(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<FuzzRequest> Generate(string account, string other, string orderId)
    {
        var a = $"/api/accounts/{account}";
        var s = $"{a}/strategies/fzq";

        // Query values: integers, sequences, dates, enums, ids. Those no parameter of the kind takes must be refused.
        // Numeric: 1 for an int, 2 for a long.
        var queries = new (string Path, string Name, int Numeric)[]
        {
            ("/api/accounts", "limit", 1), ("/api/accounts", "after", 0),
            ($"{a}/orders", "status", 0), ($"{a}/orders", "limit", 1), ($"{a}/orders", "after", 0), ($"{a}/orders", "clientOrderId", 0),
            ($"{a}/fills", "afterSequence", 2), ($"{a}/fills", "limit", 1),
            ($"{a}/journal", "after", 2), ($"{a}/journal", "limit", 1),
            ($"{a}/performance", "from", 0), ($"{a}/performance", "to", 0),
            ($"{a}/trades", "from", 0), ($"{a}/trades", "to", 0), ($"{a}/trades", "symbol", 0), ($"{a}/trades", "before", 2),
            ($"{a}/trades", "limit", 1),
            ($"{s}/performance", "from", 0), ($"{s}/performance", "to", 0),
            ($"{s}/trades", "from", 0), ($"{s}/trades", "to", 0), ($"{s}/trades", "symbol", 0), ($"{s}/trades", "before", 2),
            ($"{s}/trades", "limit", 1),
            ("/api/symbols/FZQ/bars", "interval", 0), ("/api/symbols/FZQ/bars", "from", 0), ("/api/symbols/FZQ/bars", "to", 0),
            ("/api/keys", "limit", 1), ("/api/keys", "after", 0),
        };
        foreach (var (path, name, numeric) in queries)
        {
            foreach (var value in BadNumberQueries)
            {
                var fitsLong = value is "2147483648" or "-2147483649";
                yield return new(HttpMethod.Get, $"{path}?{name}={value}", null, numeric > 0 && value.Length > 0 && !(numeric == 2 && fitsLong));
            }

            foreach (var value in OddQueries)
            {
                yield return new(HttpMethod.Get, $"{path}?{name}={value}", null,
                    numeric > 0 && value is not ("0" or "-0" or "1%20" or "%201") && !(numeric == 2 && value is "2147483647" or "9223372036854775807"));
            }

            yield return new(HttpMethod.Get, $"{path}?{name}=1&{name}=2", null, false);
        }

        foreach (var (from, to) in new[] { ("9999-12-31", "0001-01-01"), ("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31") })
        {
            yield return new(HttpMethod.Get, $"{a}/performance?from={from}&to={to}", null, false);
            yield return new(HttpMethod.Get, $"{a}/trades?from={from}&to={to}", null, false);
            yield return new(HttpMethod.Get, $"{s}/performance?from={from}&to={to}", null, false);
        }

        foreach (var (from, to) in new[]
                 {
                     ("0001-01-01T00:00:00Z", "0001-01-01T00:30:00Z"), ("9999-12-31T23:00:00Z", "9999-12-31T23:59:59.9999999Z"),
                     ("9999-12-31T23:59:59.9999999Z", ""), ("", "0001-01-01T00:00:00Z"), ("", "0001-01-01T00:30:00%2B14:00"),
                     ("9999-12-31T23:00:00-14:00", ""), ("0001-01-01T00:00:00%2B14:00", "0001-01-01T00:10:00%2B14:00"),
                 })
        {
            yield return new(HttpMethod.Get, $"/api/symbols/FZQ/bars?from={from}&to={to}", null, false);
        }

        // Only values that cannot start a stream: a valid one would hold the request open.
        foreach (var value in new[] { "-1", "abc", "9223372036854775808", "1e3", "%00", " 1", "-0" })
        {
            yield return new(HttpMethod.Get, $"{a}/events?lastEventId={value}", null, true);
        }

        foreach (var value in BadNumberQueries.Concat(["yes", "1", "0", "null"]))
        {
            yield return new(HttpMethod.Delete, $"/api/accounts/{other}/positions?cancelOrders={value}", null, value.Length > 0);
        }

        // Path segments: every id or symbol position of every route, on the second account (writes there are harmless).
        foreach (var seg in OddSegments)
        {
            var o = $"/api/accounts/{other}";
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/positions", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/orders", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/fills", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/journal", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/performance", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/trades", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/transfers", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/risk", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/breaker", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/strategies", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/webhooks", null, false);
            yield return new(HttpMethod.Get, $"/api/accounts/{seg}/events", null, true);
            yield return new(HttpMethod.Get, $"{o}/orders/{seg}", null, true);
            yield return new(HttpMethod.Patch, $"{o}/orders/{seg}", "{\"limitPrice\":45}", true);
            yield return new(HttpMethod.Delete, $"{o}/orders/{seg}", null, true);
            yield return new(HttpMethod.Delete, $"{o}/positions/{seg}", null, true);
            yield return new(HttpMethod.Get, $"{o}/strategies/{seg}", null, true);
            yield return new(HttpMethod.Get, $"{o}/strategies/{seg}/performance", null, true);
            yield return new(HttpMethod.Get, $"{o}/strategies/{seg}/trades", null, true);
            yield return new(HttpMethod.Post, $"{o}/strategies/{seg}/start", null, true);
            yield return new(HttpMethod.Post, $"{o}/strategies/{seg}/stop", null, true);
            yield return new(HttpMethod.Put, $"{o}/strategies/{seg}/parameters", "{\"parameters\":{\"quantity\":\"1\"}}", true);
            yield return new(HttpMethod.Delete, $"{o}/strategies/{seg}", null, true);
            yield return new(HttpMethod.Get, $"{o}/webhooks/{seg}", null, true);
            yield return new(HttpMethod.Post, $"{o}/webhooks/{seg}/resume", null, true);
            yield return new(HttpMethod.Post, $"{o}/webhooks/{seg}/rotate-secret", "{}", true);
            yield return new(HttpMethod.Delete, $"{o}/webhooks/{seg}", null, true);
            yield return new(HttpMethod.Delete, $"/api/keys/{seg}", null, true);
            yield return new(HttpMethod.Get, $"/api/symbols/{seg}/quote", null, false);
            yield return new(HttpMethod.Get, $"/api/symbols/{seg}/bars", null, false);
        }

        // Bodies: each field of each route set to every odd value, on top of a valid body. Writes go to the second account.
        var o2 = $"/api/accounts/{other}";
        var routes = new (HttpMethod Method, string Path, string Valid, string[] Fields)[]
        {
            (HttpMethod.Post, "/api/accounts",
                "{\"name\":\"fz\",\"initialCash\":1000,\"feeModel\":{\"kind\":\"perShare\"},\"riskLimits\":{\"maxOpenOrders\":5}}",
                ["accountId", "name", "initialCash", "currency", "broker", "marginType", "feeModel", "riskLimits"]),
            (HttpMethod.Post, $"{o2}/orders",
                "{\"clientOrderId\":\"fz-o\",\"symbol\":\"FZQ\",\"side\":\"buy\",\"type\":\"limit\",\"quantity\":1,\"limitPrice\":40,\"timeInForce\":\"gtc\"}",
                ["quantity", "limitPrice", "stopPrice", "trailPrice", "trailPercent", "orderClass", "takeProfit", "stopLoss", "extendedHours", "symbol"]),
            (HttpMethod.Post, $"{o2}/orders/preview",
                "{\"symbol\":\"FZQ\",\"side\":\"buy\",\"type\":\"limit\",\"quantity\":1,\"limitPrice\":40,\"timeInForce\":\"gtc\"}",
                ["clientOrderId", "symbol", "side", "type", "quantity", "limitPrice", "stopPrice", "trailPrice", "trailPercent", "timeInForce",
                    "orderClass", "takeProfit", "stopLoss", "extendedHours"]),
            (HttpMethod.Patch, $"{a}/orders/{orderId}", "{}",
                ["quantity", "limitPrice", "stopPrice", "trailPrice", "trailPercent", "timeInForce", "clientOrderId"]),
            (HttpMethod.Put, $"{o2}/risk", "{}",
                ["maxOrderNotional", "maxPositionNotional", "maxPositionPercentOfEquity", "maxOpenOrders", "maxSubmitsPerWindow", "submitWindow",
                    "maxQuoteAge", "priceBandPercent", "allowShortSelling", "requireMarketOpen"]),
            (HttpMethod.Post, $"{o2}/breaker/trip", "{\"state\":\"halted\",\"reason\":\"fz\"}", ["state", "reason"]),
            (HttpMethod.Post, $"{o2}/breaker/reset", "{\"reason\":\"fz\"}", ["reason", "force"]),
            (HttpMethod.Post, "/api/trading/halt", "{\"state\":\"nonsense\"}", ["state", "reason"]),
            (HttpMethod.Post, "/api/trading/resume", "{\"force\":\"nonsense\"}", ["reason", "force"]),
            (HttpMethod.Post, $"{o2}/transfers", "{\"transferId\":\"fz-t\",\"amount\":1}", ["transferId", "amount", "note"]),
            (HttpMethod.Post, $"{o2}/webhooks", "{\"url\":\"https://example.invalid/hook\"}", ["webhookId", "url", "kinds", "description"]),
            (HttpMethod.Post, $"{o2}/strategies",
                "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"parameters\":{\"quantity\":\"1\"},\"start\":false}",
                ["strategyId", "kind", "symbols", "parameters", "barInterval", "start"]),
            (HttpMethod.Put, $"{s}/parameters", "{\"parameters\":{\"quantity\":\"1\"}}", ["parameters"]),
            (HttpMethod.Post, "/api/keys", "{\"name\":\"fz\",\"roles\":[\"trader\"],\"accounts\":[\"" + other + "\"]}", ["name", "roles", "accounts"]),
            (HttpMethod.Post, "/api/backtests", "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"parameters\":{\"quantity\":\"1\"},\"bars\":10}",
                ["kind", "symbols", "parameters", "source", "barInterval", "bars", "start", "end", "initialCash", "feeModel", "fill", "slippageBps"]),
            (HttpMethod.Post, "/api/backtests/sweep",
                "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"parameters\":{\"quantity\":\"1\"},\"bars\":10,\"grid\":{\"fastPeriod\":[\"2\",\"3\"]}}",
                ["grid", "rankBy", "validation", "bars", "start", "end", "initialCash", "slippageBps"]),
        };

        foreach (var route in routes)
        {
            foreach (var field in route.Fields)
            {
                foreach (var value in OddValues)
                {
                    // A write that may be valid could change shared state (a global halt); only values no such field takes are sent there.
                    yield return new(route.Method, route.Path, WithRaw(route.Valid, field, value), false);
                }
            }

            yield return new(route.Method, route.Path, Nested(route.Valid, 64), false);
            yield return new(route.Method, route.Path, Nested(route.Valid, 2_000), true);
            yield return new(route.Method, route.Path, "{\"a\":\"" + new string('x', 100_000) + "\"}", true);
            yield return new(route.Method, route.Path, new string(' ', 100_000), true);
            foreach (var field in route.Fields)
            {
                yield return new(route.Method, route.Path, DuplicateKey(route.Valid, field), false);
            }
        }

        // Headers: content types, keys and Last-Event-ID values no request may carry.
        foreach (var type in new[] { "text/plain", "application/xml", "application/json; charset=utf-16", "application/json; charset=nonsense", "", "*/*", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=\"utf-8\"" })
        {
            yield return new(HttpMethod.Post, $"{o2}/orders/preview", "{\"symbol\":\"FZQ\"}", true) { ContentType = type };
            yield return new(HttpMethod.Post, "/api/backtests", "{}", true) { ContentType = type };
            yield return new(HttpMethod.Put, $"{o2}/risk", "{}", false) { ContentType = type };
        }

        foreach (var auth in new[] { "Bearer", "Bearer ", "Bearer ot_", "Bearer ot_" + new string('A', 43), "Bearer " + new string('x', 8_000), "Basic Zm9vOmJhcg==", "Bearer ot_\u00e9\u00e9", "bearer  x y" })
        {
            yield return new(HttpMethod.Get, $"{a}/orders", null, true) { Authorization = auth };
        }

        foreach (var id in new[] { "-1", "abc", "9223372036854775808", "1e3", " 1", "1 ", "-0", new string('9', 5_000) })
        {
            yield return new(HttpMethod.Get, $"{a}/events", null, true) { LastEventId = id };
        }

        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Head, HttpMethod.Options, new HttpMethod("TRACE"), new HttpMethod("FOO") })
        {
            yield return new(method, $"{a}/orders", null, false);
            yield return new(method, $"{a}/fills", null, false);
        }

        // Nested objects of the bodies: fee models, exit legs, validation windows, risk limits inside an account.
        var rnd = new Random(20261205);
        for (var i = 0; i < 300; i++)
        {
            var value = OddValues[rnd.Next(OddValues.Length)];
            var inner = new[] { "kind", "perShareRate", "minimumPerOrder", "maxPercentOfNotional", "basisPoints", "includeRegulatoryFees" }[rnd.Next(6)];
            yield return new(HttpMethod.Post, "/api/backtests",
                "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"parameters\":{\"quantity\":\"1\"},\"bars\":10,\"feeModel\":{\"kind\":\"perShare\",\"" + inner + "\":" + value + "}}", false);
            var leg = new[] { "limitPrice", "stopPrice" }[rnd.Next(2)];
            yield return new(HttpMethod.Post, $"{o2}/orders/preview",
                "{\"symbol\":\"FZQ\",\"side\":\"buy\",\"type\":\"limit\",\"quantity\":1,\"limitPrice\":40,\"timeInForce\":\"gtc\",\"orderClass\":\"bracket\",\"takeProfit\":{\"limitPrice\":60},\"stopLoss\":{\"" + leg + "\":" + value + "}}", false);
            var window = new[] { "start", "end" }[rnd.Next(2)];
            yield return new(HttpMethod.Post, "/api/backtests/sweep",
                "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"parameters\":{\"quantity\":\"1\"},\"bars\":10,\"grid\":{\"fastPeriod\":[\"2\"]},\"validation\":{\"start\":\"2020-01-01T00:00:00Z\",\"" + window + "\":" + value + "}}", false);
            var limit = new[] { "maxOrderNotional", "maxOpenOrders", "submitWindow", "maxQuoteAge", "priceBandPercent" }[rnd.Next(5)];
            yield return new(HttpMethod.Post, "/api/accounts", "{\"name\":\"fz\",\"initialCash\":1000,\"riskLimits\":{\"" + limit + "\":" + value + "}}", false);
            var param = new[] { "quantity", "fastPeriod", "slowPeriod", "nonsense" }[rnd.Next(4)];
            yield return new(HttpMethod.Post, "/api/backtests",
                "{\"kind\":\"sma-crossover\",\"symbols\":[\"FZQ\"],\"bars\":10,\"parameters\":{\"quantity\":\"1\",\"" + param + "\":" + value + "}}", false);
        }
    }

    private static string WithRaw(string valid, string field, string raw)
    {
        var body = JsonNode.Parse(valid)!.AsObject();
        body.Remove(field);
        var rest = body.ToJsonString();
        return rest == "{}" ? $"{{\"{field}\":{raw}}}" : $"{{\"{field}\":{raw},{rest[1..]}";
    }

    private static string DuplicateKey(string valid, string field) => "{\"" + field + "\":\"dup\"," + valid[1..];

    private static string Nested(string valid, int depth) =>
        "{\"x\":" + new string('[', depth) + new string(']', depth) + (valid == "{}" ? "}" : "," + valid[1..]);

    private static string Truncate(string? text) => text is null ? "(no body)" : text.Length > 160 ? text[..160] + "..." : text;

    private sealed record FuzzRequest(HttpMethod Method, string Path, string? Body, bool MustFail)
    {
        public string ContentType { get; init; } = "application/json";

        public string? Authorization { get; init; }

        public string? LastEventId { get; init; }
    }
}
