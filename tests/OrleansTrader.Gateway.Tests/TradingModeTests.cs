using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// LESSONS 10: an account's trading mode (its broker: paper or a live venue) and broker credentials are not writable
/// through the API. docs/api.md: "No route accepts broker credentials or a trading mode"; an unknown field is 400.
/// Its own host: the probes include the global halt and resume.
/// </summary>
public sealed class TradingModeTests
{
    /// <summary>What a client might try in order to switch a paper account to live or hand it credentials.</summary>
    private static readonly (string Name, Func<JsonNode> Value)[] ModeAndCredentialFields =
    [
        ("broker", () => "alpaca"),
        ("mode", () => "live"),
        ("live", () => true),
        ("paper", () => false),
        ("tradingMode", () => "live"),
        ("keyId", () => "AKTESTKEYID0000000000"),
        ("secretKey", () => "test-secret-key-0000000000000000000000"),
        ("apiKey", () => "AKTESTKEYID0000000000"),
        ("baseUrl", () => "https://api.alpaca.markets"),
        ("alpaca", () => new JsonObject { ["keyId"] = "AKTESTKEYID0000000000", ["secretKey"] = "test-secret", ["paper"] = false }),
    ];

    [Fact]
    public async Task NoRouteWithABody_AcceptsABrokerModeOrCredentialField_AndThePaperAccountStaysAsItWas()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync(cash: 50_000m);
        await host.QuoteAsync("MODE", 50m, 50.02m);
        var resting = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new
        {
            clientOrderId = "mode-resting", symbol = "MODE", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", host.AdminKey, new
        {
            strategyId = "mode-str", kind = "sma-crossover", symbols = new[] { "MODE" }, start = false,
            parameters = new Dictionary<string, string> { ["quantity"] = "5" },
        }, HttpStatusCode.Created);
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", host.AdminKey, new
        {
            webhookId = "mode-hook", url = "https://receiver.example/hook", kinds = new[] { "fill" },
        }, HttpStatusCode.Created);
        var bodies = ValidBodies(account, resting.GetProperty("orderId").GetString()!);

        // Every route that reads a body is probed: a new one fails here until its body is added above.
        var bodyRoutes = BodyRoutes(host);
        var unknown = bodyRoutes.Where(r => !bodies.Any(b => b.Method == r.Method && b.Pattern == r.Pattern)).ToList();
        Assert.True(unknown.Count == 0, "routes with a body this test does not probe: " + string.Join(", ", unknown));
        Assert.True(bodyRoutes.Count >= 17, $"only {bodyRoutes.Count} routes with a body found");
        var before = await StateAsync(host, account);
        Assert.Equal("paper", before.Broker);

        var accepted = new List<string>();
        foreach (var (method, pattern, path, valid) in bodies)
        {
            foreach (var (name, value) in ModeAndCredentialFields)
            {
                var body = (JsonObject)valid.DeepClone();
                body[name] = value();
                using var response = await host.SendAsync(method, path, host.AdminKey, body.ToJsonString());
                if (response.StatusCode != HttpStatusCode.BadRequest)
                {
                    accepted.Add($"{method} {pattern} with {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
                }
            }
        }

        Assert.True(accepted.Count == 0, string.Join("\n", accepted));
        var after = await StateAsync(host, account);
        Assert.Equal(before, after);
        await host.SendJsonAsync(HttpMethod.Get, "/api/accounts/mode-new", host.AdminKey, null, HttpStatusCode.NotFound);

        // The same bodies without those fields are not refused as malformed: the field, not the body, was the refusal.
        // Accepted for real, they change the account's figures and settings, never its broker.
        foreach (var (method, pattern, path, valid) in bodies)
        {
            using var response = await host.SendAsync(method, path, host.AdminKey, valid.ToJsonString());
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            // A backtest has no bars to run on here: its body was read and checked, the silo's history is what is missing.
            var noBars = pattern.StartsWith("/api/backtests", StringComparison.Ordinal) && text.Contains("BACKTEST_NO_BARS", StringComparison.Ordinal);
            Assert.True((int)response.StatusCode is >= 200 and < 300 || noBars, $"{method} {pattern}: {(int)response.StatusCode} {text}");
        }

        Assert.Equal("paper", (await StateAsync(host, account)).Broker);
        Assert.Equal("paper", (await StateAsync(host, "mode-new")).Broker);
    }

    [Fact]
    public async Task OpeningAnAlpacaAccount_IsRefused_WhereTheHostDoesNotAllowIt_AndNothingIsOpened()
    {
        await using var host = await GatewayHost.StartAsync();

        foreach (var broker in new[] { "alpaca", "live", "Alpaca", "alpaca-live" })
        {
            var problem = await host.SendJsonAsync(HttpMethod.Post, "/api/accounts", host.AdminKey,
                new { accountId = "mode-live", name = "live?", initialCash = 1000, broker }, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("broker", out _), problem.ToString());
        }

        await host.SendJsonAsync(HttpMethod.Get, "/api/accounts/mode-live", host.AdminKey, null, HttpStatusCode.NotFound);
    }

    /// <summary>A body each route accepts as it is, for the probes to add fields to; in an order that lets each succeed.</summary>
    private static List<(HttpMethod Method, string Pattern, string Path, JsonObject Body)> ValidBodies(string account, string orderId)
    {
        var a = $"/api/accounts/{account}";
        var strategyParameters = new JsonObject { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" };
        return
        [
            (HttpMethod.Post, "/api/accounts/{accountId}/orders", $"{a}/orders", new JsonObject
            {
                ["clientOrderId"] = "mode-new", ["symbol"] = "MODE", ["side"] = "buy", ["type"] = "limit", ["limitPrice"] = 48m, ["quantity"] = 1,
                ["timeInForce"] = "gtc",
            }),
            (HttpMethod.Post, "/api/accounts/{accountId}/orders/preview", $"{a}/orders/preview", new JsonObject
            {
                ["symbol"] = "MODE", ["side"] = "buy", ["type"] = "limit", ["limitPrice"] = 48m, ["quantity"] = 1, ["timeInForce"] = "gtc",
            }),
            (HttpMethod.Patch, "/api/accounts/{accountId}/orders/{orderId}", $"{a}/orders/{orderId}", new JsonObject { ["limitPrice"] = 47.5m }),
            (HttpMethod.Put, "/api/accounts/{accountId}/risk", $"{a}/risk", new JsonObject { ["maxOpenOrders"] = 40 }),
            (HttpMethod.Put, "/api/accounts/{accountId}/breaker/policy", $"{a}/breaker/policy", new JsonObject { ["dailyLossLimit"] = 4000 }),
            (HttpMethod.Post, "/api/accounts/{accountId}/strategies", $"{a}/strategies", new JsonObject
            {
                ["strategyId"] = "mode-str2", ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("MODE"), ["start"] = false,
                ["parameters"] = new JsonObject { ["quantity"] = "5" },
            }),
            (HttpMethod.Put, "/api/accounts/{accountId}/strategies/{strategyId}/parameters", $"{a}/strategies/mode-str/parameters",
                new JsonObject { ["parameters"] = strategyParameters }),
            (HttpMethod.Post, "/api/accounts/{accountId}/webhooks", $"{a}/webhooks", new JsonObject
            {
                ["webhookId"] = "mode-hook2", ["url"] = "https://receiver.example/other", ["kinds"] = new JsonArray("fill"),
            }),
            (HttpMethod.Post, "/api/accounts/{accountId}/webhooks/{webhookId}/rotate-secret", $"{a}/webhooks/mode-hook/rotate-secret",
                new JsonObject { ["previousSecretValidForSeconds"] = 60 }),
            (HttpMethod.Post, "/api/accounts/{accountId}/transfers", $"{a}/transfers", new JsonObject { ["transferId"] = "mode-dep", ["amount"] = 100m }),
            (HttpMethod.Post, "/api/keys", "/api/keys", new JsonObject
            {
                ["name"] = "mode key", ["roles"] = new JsonArray("trader"), ["accounts"] = new JsonArray(account),
            }),
            (HttpMethod.Post, "/api/backtests", "/api/backtests", new JsonObject
            {
                ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("MODE"), ["bars"] = 50, ["parameters"] = new JsonObject { ["quantity"] = "5" },
            }),
            (HttpMethod.Post, "/api/backtests/sweep", "/api/backtests/sweep", new JsonObject
            {
                ["kind"] = "sma-crossover", ["symbols"] = new JsonArray("MODE"), ["bars"] = 50, ["parameters"] = new JsonObject { ["quantity"] = "5" },
                ["grid"] = new JsonObject { ["fastPeriod"] = new JsonArray("2", "3") },
            }),
            (HttpMethod.Post, "/api/accounts", "/api/accounts", new JsonObject { ["accountId"] = "mode-new", ["name"] = "mode new", ["initialCash"] = 1000 }),
            (HttpMethod.Post, "/api/accounts/{accountId}/breaker/trip", $"{a}/breaker/trip", new JsonObject { ["state"] = "halted", ["reason"] = "mode probe" }),
            (HttpMethod.Post, "/api/accounts/{accountId}/breaker/reset", $"{a}/breaker/reset", new JsonObject { ["reason"] = "mode probe" }),
            (HttpMethod.Post, "/api/trading/halt", "/api/trading/halt", new JsonObject { ["reason"] = "mode probe" }),
            (HttpMethod.Post, "/api/trading/resume", "/api/trading/resume", new JsonObject { ["reason"] = "mode probe" }),
        ];
    }

    private static List<(HttpMethod Method, string Pattern)> BodyRoutes(GatewayHost host) =>
        [.. host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>() is { ContentTypes.Count: > 0 })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (new HttpMethod(m), "/" + e.RoutePattern.RawText!.Trim('/'))))];

    /// <summary>What a probe could change: the broker as the account and the account list show it, and its settings and money.</summary>
    private static async Task<AccountState> StateAsync(GatewayHost host, string account)
    {
        async Task<string> Read(string path) => (await host.SendJsonAsync(HttpMethod.Get, path, host.AdminKey, null, HttpStatusCode.OK)).ToString();
        var snapshot = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", host.AdminKey, null, HttpStatusCode.OK);
        var listed = (await host.SendJsonAsync(HttpMethod.Get, "/api/accounts?limit=500", host.AdminKey, null, HttpStatusCode.OK))
            .EnumerateArray().Single(l => l.GetProperty("accountId").GetString() == account);
        Assert.Equal(snapshot.GetProperty("broker").GetString(), listed.GetProperty("broker").GetString());
        var figures = string.Join("|", new[] { "accountType", "currency", "cash", "reserved", "fees", "tradingState", "openOrderCount", "lastEventSequence", "name" }
            .Select(p => snapshot.GetProperty(p).ToString()));
        var webhooks = (await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks", host.AdminKey, null, HttpStatusCode.OK))
            .EnumerateArray().Select(w => $"{w.GetProperty("webhookId")} {w.GetProperty("url")} {(w.TryGetProperty("secretRotatedAt", out var rotated) ? rotated.ToString() : "never")}");
        var keys = (await host.SendJsonAsync(HttpMethod.Get, "/api/keys?limit=500", host.AdminKey, null, HttpStatusCode.OK)).GetArrayLength();
        var settings = string.Join("\n", figures, await Read($"/api/accounts/{account}/orders?status=all"), await Read($"/api/accounts/{account}/risk"),
            await Read($"/api/accounts/{account}/breaker"), await Read($"/api/accounts/{account}/breaker/policy"), await Read($"/api/accounts/{account}/strategies"), await Read($"/api/accounts/{account}/transfers"),
            string.Join(";", webhooks), $"keys {keys}");
        return new AccountState(snapshot.GetProperty("broker").GetString()!, settings);
    }

    private sealed record AccountState(string Broker, string Settings);
}
