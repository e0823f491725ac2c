using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Authentication runs before the rate limiter: each new junk key would cost a registry lookup. An address's failed lookups
/// are budgeted (Gateway:RateLimits:FailedKeyLookupsPerWindow); past it, its uncached keys get 429 without a lookup.
/// </summary>
public sealed class FailedKeyLookupThrottleTests
{
    [Fact]
    public async Task UnknownKeys_FromOneAddress_Get429WithoutALookup_OnceItsBudgetIsSpent_AndOtherAddressesAreUnaffected()
    {
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:RateLimits:FailedKeyLookupsPerWindow"] = "3",
                ["Gateway:RateLimits:Window"] = "00:05:00",
            },
            services: s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        var (freshKey, _) = await host.IssueKeyAsync(["trader"], ["*"]);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await SendAsync(host, ApiKeyHasher.Generate(), "203.0.113.7", $"junk-{i}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 300);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
             HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        Assert.Equal(3, RegistryLookups(host, "junk-"));

        // A key not yet cached, from another address: looked up and accepted.
        using (var other = await SendAsync(host, freshKey, "198.51.100.9", "fresh"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.Equal(1, RegistryLookups(host, "fresh"));

        // A real key this gateway has cached still works from the throttled address.
        using var cached = await SendAsync(host, host.AdminKey, "203.0.113.7", "cached");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
    }

    [Fact]
    public void FailedKeyLookupsPerWindow_MustBePositive()
    {
        var options = new GatewayOptions();
        options.RateLimits.FailedKeyLookupsPerWindow = 0;

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:RateLimits", result.FailureMessage, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(GatewayHost host, string? key, string address, string correlationId)
    {
        using var request = host.Request(HttpMethod.Get, "/api/accounts", key);
        request.Headers.Add(ClientAddressFromHeader.Header, address);
        request.Headers.Add("X-Correlation-Id", correlationId);
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static int RegistryLookups(GatewayHost host, string correlationPrefix) =>
        host.Correlations.Calls.Count(c => c.CorrelationId.StartsWith(correlationPrefix, StringComparison.Ordinal)
            && c.Call.Contains("ApiKeyRegistry", StringComparison.Ordinal) && c.Call.EndsWith(".GetAsync", StringComparison.Ordinal));
}
