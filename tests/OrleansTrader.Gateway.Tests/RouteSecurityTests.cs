using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class RouteSecurityTests(GatewayFixture fixture)
{
    // The explorer's page and files hold no secret; every call the page makes carries the user's key (ExplorerTests).
    private static readonly string[] PublicRoutes = ["/health/live", "/health/ready", "/metrics", "/explorer", "/explorer/{file}"];

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task EveryRoute_Answers401WithBearerChallenge_WithoutAKey_OrWithAnUnknownMalformedOrRevokedKey()
    {
        var account = await Host.CreateAccountAsync();
        var (revoked, revokedId) = await Host.IssueKeyAsync(["trader", "risk"], [account]);
        await Host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{revokedId}", Host.AdminKey, null, HttpStatusCode.NoContent);

        // The Authorization header as sent (null: none). Only the unknown and the revoked key reach the registry, once each
        // (then cached), so the fixture's address stays far from the failed-lookup limit.
        string?[] credentials =
        [
            null,
            "Bearer ot_this-is-not-a-real-key-at-all-0000000000",
            "Bearer " + revoked,
            "Bearer ot_short",
            "Bearer " + revoked[..^1] + (revoked[^1] == 'A' ? 'B' : 'A'),
            "Bearer " + revoked + " " + revoked,
            "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + Host.AdminKey)),
            Host.AdminKey,
        ];
        var routes = Routes();
        Assert.True(routes.Count >= 33, $"only {routes.Count} routes mapped");
        var checkedCalls = 0;
        foreach (var route in routes.Where(r => !PublicRoutes.Contains(r.Pattern)))
        {
            foreach (var credential in credentials)
            {
                using var request = Host.Request(route.Method, Path(route.Pattern, account), null, Body(route.Method));
                if (credential is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", credential);
                }

                using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route.Method} {route.Pattern} with {credential ?? "(no key)"}: {(int)response.StatusCode}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

                // A refusal never echoes what was presented.
                Assert.DoesNotContain(revoked, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Host.AdminKey!, text, StringComparison.Ordinal);
                Assert.DoesNotContain("ot_", text, StringComparison.Ordinal);
                checkedCalls++;
            }
        }

        Assert.True(checkedCalls >= 8 * 40, $"only {checkedCalls} unauthenticated calls");
    }

    [Fact]
    public async Task EveryProtectedRoute_Answers403_WithAWrongRoleOrAWrongAccountKey()
    {
        var account = await Host.CreateAccountAsync();
        var other = await Host.CreateAccountAsync();
        var (otherAccountKey, _) = await Host.IssueKeyAsync(["trader", "risk"], [other]);
        var (riskOnly, _) = await Host.IssueKeyAsync(["risk"], [account]);
        var (traderOnly, _) = await Host.IssueKeyAsync(["trader"], [account]);
        var (traderAll, _) = await Host.IssueKeyAsync(["trader", "risk"], ["*"]);
        var checkedRoutes = 0;
        foreach (var route in Routes().Where(r => !PublicRoutes.Contains(r.Pattern)))
        {
            string[] forbidden = route.Policy switch
            {
                GatewayPolicies.AccountRead => [otherAccountKey],
                GatewayPolicies.AccountTrade => [otherAccountKey, riskOnly],
                GatewayPolicies.AccountRisk => [otherAccountKey, traderOnly],
                GatewayPolicies.Risk => [traderOnly],
                GatewayPolicies.Admin => [traderAll],
                GatewayPolicies.AnyKey => [],
                _ => throw new InvalidOperationException($"{route.Method} {route.Pattern} has no known policy ({route.Policy ?? "none"})"),
            };
            foreach (var key in forbidden)
            {
                using var response = await Host.SendAsync(route.Method, Path(route.Pattern, account), key, Body(route.Method));
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Pattern}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                checkedRoutes++;
            }

            if (route.Policy == GatewayPolicies.AnyKey)
            {
                using var response = await Host.SendAsync(route.Method, Path(route.Pattern, account), otherAccountKey, Body(route.Method));
                Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }

        Assert.True(checkedRoutes >= 40, $"only {checkedRoutes} forbidden checks");
    }

    [Fact]
    public async Task AKeyForOneAccount_CannotTellWhetherAnotherAccountExists_OnAnyRoute()
    {
        var own = await Host.CreateAccountAsync();
        var other = await Host.CreateAccountAsync();
        var missing = GatewayHost.NewId("nobody");
        var (key, keyId) = await Host.IssueKeyAsync(["trader", "risk"], [own]);
        var checkedRoutes = 0;
        foreach (var route in Routes().Where(r => r.Pattern.Contains("{accountId}", StringComparison.Ordinal)))
        {
            var answers = new List<string>();
            foreach (var account in new[] { other, missing })
            {
                using var response = await Host.SendAsync(route.Method, Path(route.Pattern, account), key, Body(route.Method));
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Pattern} on {account}: {(int)response.StatusCode} {text}");
                var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
                var detail = problem.GetProperty("detail").GetString()!;
                Assert.True(
                    detail == $"Key {keyId} does not cover account {account}." || detail == $"Key {keyId} lacks the role this route needs: admin.",
                    $"{route.Method} {route.Pattern}: {detail}");
                answers.Add(string.Join(",", problem.EnumerateObject().Where(p => p.Name != "correlationId").Select(p => $"{p.Name}={p.Value}"))
                    .Replace(account, "{accountId}", StringComparison.Ordinal));
            }

            // The same answer, whether the other account is open or not.
            Assert.Equal(answers[0], answers[1]);
            checkedRoutes++;
        }

        Assert.True(checkedRoutes >= 30, $"only {checkedRoutes} account routes");
    }

    [Fact]
    public async Task AnAdminKey_PassesEveryRoute_AndAnUnknownAccountIsA404ForIt()
    {
        var missing = GatewayHost.NewId("nobody");
        var checkedRoutes = 0;
        foreach (var route in Routes())
        {
            // An unknown account: no route may act on it, and the event stream answers at once instead of staying open.
            using var response = await Host.SendAsync(route.Method, Path(route.Pattern, missing), Host.AdminKey, Body(route.Method));
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            Assert.True(status is not (401 or 403) and < 500, $"{route.Method} {route.Pattern}: {status} {text}");
            if (route.Pattern.Contains("{accountId}", StringComparison.Ordinal) && status != 400)
            {
                // The body "{}" of a POST, PUT or PATCH may be refused as invalid first: validation comes before any grain.
                Assert.True(status == 404 && text.Contains("\"ACCOUNT_NOT_OPEN\"", StringComparison.Ordinal), $"{route.Method} {route.Pattern}: {status} {text}");
            }

            checkedRoutes++;
        }

        Assert.True(checkedRoutes >= 45, $"only {checkedRoutes} routes");
    }

    [Fact]
    public async Task NoRoute_LetsAPageOfAnotherOriginReadIt_NoCorsHeaders()
    {
        var account = await Host.CreateAccountAsync();
        foreach (var route in Routes())
        {
            using var preflight = Host.Request(HttpMethod.Options, Path(route.Pattern, account), null);
            preflight.Headers.Add("Origin", "https://elsewhere.example");
            preflight.Headers.Add("Access-Control-Request-Method", route.Method.Method);
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
            using var answer = await Host.Client.SendAsync(preflight, TestContext.Current.CancellationToken);
            if (!PublicRoutes.Contains(route.Pattern))
            {
                Assert.True(answer.StatusCode == HttpStatusCode.MethodNotAllowed, $"OPTIONS {route.Pattern}: {(int)answer.StatusCode}");
            }

            Assert.DoesNotContain(answer.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        }

        using var read = Host.Request(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey);
        read.Headers.Add("Origin", "https://elsewhere.example");
        using var response = await Host.Client.SendAsync(read, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TheAnswersThatShowASecret_AreNotStored_ByACache()
    {
        var account = await Host.CreateAccountAsync();
        using var issued = await Host.SendAsync(HttpMethod.Post, "/api/keys", Host.AdminKey, new { name = "cache check", roles = new[] { "trader" }, accounts = new[] { account } });
        using var created = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", Host.AdminKey, new { webhookId = "wh-1", url = "https://receiver.example.invalid/hook" });
        using var rotated = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/wh-1/rotate-secret", Host.AdminKey, "{}");
        await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/webhooks/wh-1", Host.AdminKey, null, HttpStatusCode.NoContent);

        foreach (var (response, status) in new[] { (issued, HttpStatusCode.Created), (created, HttpStatusCode.Created), (rotated, HttpStatusCode.OK) })
        {
            Assert.Equal(status, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{response.RequestMessage!.RequestUri}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task Metrics_NeedAKey_WhenTheHostRequiresIt()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Metrics:RequireAuth"] = "true" });

        using var anonymous = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        using var withKey = await host.SendAsync(HttpMethod.Get, "/metrics", host.AdminKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public void EveryRoute_IsInTheDocsRouteTable_WithTheRoleTheDocsGiveIt()
    {
        var documented = DocumentedRoutes();
        var mapped = Routes().ToDictionary(r => $"{r.Method} {r.Pattern.Replace("{documentName}", "v1", StringComparison.Ordinal).TrimEnd('/')}", r => r.Policy);

        Assert.Empty(mapped.Keys.Except(documented.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Keys.Except(mapped.Keys).Order(StringComparer.Ordinal));
        Assert.All(mapped, route => Assert.True(
            route.Value == documented[route.Key],
            $"{route.Key}: mapped with policy {route.Value ?? "(none)"}, docs/api.md says {documented[route.Key] ?? "(none)"}"));
    }

    [Fact]
    public async Task A403_SaysWhetherTheKeyLacksTheRoleOrTheAccount()
    {
        var account = await Host.CreateAccountAsync();
        var other = await Host.CreateAccountAsync();
        var (otherAccountKey, otherAccountKeyId) = await Host.IssueKeyAsync(["trader"], [other]);
        var (riskOnly, riskOnlyId) = await Host.IssueKeyAsync(["risk"], [account]);

        var wrongAccount = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", otherAccountKey, null, HttpStatusCode.Forbidden);
        Assert.Equal($"Key {otherAccountKeyId} does not cover account {account}.", wrongAccount.GetProperty("detail").GetString());

        var wrongRole = await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/orders", riskOnly, null, HttpStatusCode.Forbidden);
        Assert.Equal($"Key {riskOnlyId} lacks the role this route needs: trader.", wrongRole.GetProperty("detail").GetString());
        Assert.True(wrongRole.TryGetProperty("correlationId", out _));
    }

    [Fact]
    public async Task HealthAndMetrics_AreOpen_WithoutAKey()
    {
        foreach (var path in PublicRoutes)
        {
            using var response = await Host.SendAsync(HttpMethod.Get, Path(path, "unused"), null);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    private List<(HttpMethod Method, string Pattern, string? Policy)> Routes()
    {
        var sources = Host.Services.GetRequiredService<EndpointDataSource>();
        return [.. sources.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (
                new HttpMethod(m),
                "/" + e.RoutePattern.RawText!.TrimStart('/'),
                e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null))))];
    }

    /// <summary>docs/api.md's route table as "METHOD /path" to the policy its role column names (null: no key needed).</summary>
    private static Dictionary<string, string?> DocumentedRoutes()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(root.FullName, "OrleansTrader.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException($"OrleansTrader.sln not found above {AppContext.BaseDirectory}.");
        }

        var lines = File.ReadAllLines(System.IO.Path.Combine(root.FullName, "docs", "api.md"));
        var routes = new Dictionary<string, string?>(StringComparer.Ordinal);
        var table = lines.SkipWhile(l => l != "## Routes").SkipWhile(l => !l.StartsWith("| method", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|'));
        foreach (var line in table)
        {
            // Cells split on the pipes that are not escaped ("open\|closed" stays in its cell).
            var cells = Regex.Split(line, @"(?<!\\)\|").Select(c => c.Trim()).ToArray();
            var methods = cells[1].Split('/');
            var roles = cells[3].Split(" / ");
            var paths = new List<string>();
            foreach (var match in Regex.Matches(cells[2], "`([^`]+)`").Cast<Match>())
            {
                var path = match.Groups[1].Value.Split('?')[0];
                if (path.StartsWith("...", StringComparison.Ordinal))
                {
                    path = "/api/accounts/{accountId}" + path[3..];
                }
                else if (path.Count(c => c == '/') == 1 && paths.Count > 0)
                {
                    // "`.../start`, `/stop`": the last segment of the path before it, replaced.
                    path = paths[^1][..paths[^1].LastIndexOf('/')] + path;
                }

                paths.Add(path);
            }

            for (var i = 0; i < methods.Length; i++)
            {
                var role = roles.Length == methods.Length ? roles[i] : roles[0];
                foreach (var path in paths)
                {
                    routes.Add($"{methods[i].Trim()} {path}", role switch
                    {
                        "none" or "none (or any key)" => null,
                        "any key" => GatewayPolicies.AnyKey,
                        "read" => GatewayPolicies.AccountRead,
                        "trader" => GatewayPolicies.AccountTrade,
                        "risk" => path.Contains("{accountId}", StringComparison.Ordinal) ? GatewayPolicies.AccountRisk : GatewayPolicies.Risk,
                        "admin" => GatewayPolicies.Admin,
                        _ => throw new InvalidOperationException($"docs/api.md: unknown role \"{role}\" in {line}"),
                    });
                }
            }
        }

        return routes;
    }

    internal static string Path(string pattern, string accountId) => pattern
        .Replace("{accountId}", accountId, StringComparison.Ordinal)
        .Replace("{orderId}", "ord-1", StringComparison.Ordinal)
        .Replace("{strategyId}", "str-1", StringComparison.Ordinal)
        .Replace("{symbol}", "AAPL", StringComparison.Ordinal)
        .Replace("{keyId}", "key_0000000000000000", StringComparison.Ordinal)
        .Replace("{webhookId}", "wh-1", StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{file}", "explorer.js", StringComparison.Ordinal);

    private static string? Body(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
}
