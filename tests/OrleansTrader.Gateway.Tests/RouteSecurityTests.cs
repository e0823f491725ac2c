using System.Net;
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
    public async Task EveryRoute_Answers401WithBearerChallenge_WithoutOrWithAnInvalidKey()
    {
        var account = await Host.CreateAccountAsync();
        var routes = Routes();
        Assert.True(routes.Count >= 33, $"only {routes.Count} routes mapped");
        foreach (var route in routes.Where(r => !PublicRoutes.Contains(r.Pattern)))
        {
            foreach (var key in new[] { null, "ot_this-is-not-a-real-key-at-all-0000000000" })
            {
                using var response = await Host.SendAsync(route.Method, Path(route.Pattern, account), key, Body(route.Method));
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route.Method} {route.Pattern} with key {key ?? "(none)"}: {(int)response.StatusCode}");
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
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

    internal static string Path(string pattern, string accountId) => pattern
        .Replace("{accountId}", accountId, StringComparison.Ordinal)
        .Replace("{orderId}", "ord-1", StringComparison.Ordinal)
        .Replace("{strategyId}", "str-1", StringComparison.Ordinal)
        .Replace("{symbol}", "AAPL", StringComparison.Ordinal)
        .Replace("{keyId}", "key_0000000000000000", StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{file}", "explorer.js", StringComparison.Ordinal);

    private static string? Body(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
}
