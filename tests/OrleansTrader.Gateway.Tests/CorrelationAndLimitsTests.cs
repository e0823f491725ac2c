using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

public sealed class CorrelationAndLimitsTests
{
    [Fact]
    public async Task CorrelationId_IsEchoed_AndReachesTheGrainsRequestContext()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        using var request = host.Request(HttpMethod.Get, $"/api/accounts/{account}", host.AdminKey);
        request.Headers.Add("X-Correlation-Id", "corr-test-42");

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("corr-test-42", Assert.Single(response.Headers.GetValues("X-Correlation-Id")));
        Assert.Contains(host.Correlations.Calls, c => c.CorrelationId == "corr-test-42" && c.Call.Contains("GetSnapshotAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CorrelationId_IsGenerated_WhenTheClientsIsMalformed()
    {
        await using var host = await GatewayHost.StartAsync();
        using var request = host.Request(HttpMethod.Get, "/api/accounts/x", null);
        request.Headers.Add("X-Correlation-Id", new string('a', 65));

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        var id = Assert.Single(response.Headers.GetValues("X-Correlation-Id"));
        Assert.Equal(32, id.Length);
        Assert.True(id.All(char.IsAsciiHexDigitLower));
    }

    [Fact]
    public async Task RateLimits_Answer429WithRetryAfter_PerKeyForOrdersAndByAddressWithoutKey()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PermitsPerWindow"] = "20",
            ["Gateway:RateLimits:OrderPermitsPerWindow"] = "2",
            ["Gateway:RateLimits:AnonymousPermitsPerWindow"] = "3",
            ["Gateway:RateLimits:Window"] = "00:05:00",
        });
        var account = await host.CreateAccountAsync();
        var body = new { clientOrderId = "rl", symbol = "RATE", side = "buy", type = "market", quantity = 1, timeInForce = "day" };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, body);
            statuses.Add(response.StatusCode);
            if (i == 2)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.InRange(int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 300);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(2));
        // With a key, so the scrape takes none of the anonymous permits counted below.
        using (var scrape = await host.SendAsync(HttpMethod.Get, "/metrics", host.AdminKey))
        {
            var text = await scrape.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(["orleanstrader_gateway_rate_limited_total{policy=\"orders\"} 1"],
                text.Split('\n').Where(l => l.StartsWith("orleanstrader_gateway_rate_limited_total{", StringComparison.Ordinal)));
        }

        var anonymous = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", null);
            anonymous.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], anonymous);
        using var health = await host.SendAsync(HttpMethod.Get, "/health/live", null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>
    /// docs/api.md: rate_limited_total counts refusals by the policy that refused. An order placement refused by the key's
    /// general limit is "global", one refused by the order limit "orders": the route's policy is not what refused it.
    /// </summary>
    [Fact]
    public async Task RateLimitedMetric_NamesThePolicyThatRefused_OnTheOrderRoute()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PermitsPerWindow"] = "3",
            ["Gateway:RateLimits:OrderPermitsPerWindow"] = "100",
            ["Gateway:RateLimits:Window"] = "00:05:00",
        });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);
        var body = new { clientOrderId = "rl-label", symbol = "RATE", side = "buy", type = "market", quantity = 1, timeInForce = "day" };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", key, body);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
        using var scrape = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        var text = await scrape.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var lines = text.Split('\n').Where(l => l.StartsWith("orleanstrader_gateway_rate_limited_total{", StringComparison.Ordinal)).ToList();
        Assert.Equal(["orleanstrader_gateway_rate_limited_total{policy=\"global\"} 1"], lines);
    }

    /// <summary>
    /// A browser's EventSource reconnecting into the rate limit accepts only text/event-stream: the 429 must still carry
    /// its Retry-After and problem (it was a 500 with neither, the framework writing problems only for JSON clients).
    /// </summary>
    [Fact]
    public async Task RateLimits_Answer429WithRetryAfterAndAProblem_ToAnEventStreamClient()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PermitsPerWindow"] = "3",
            ["Gateway:RateLimits:Window"] = "00:05:00",
        });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);
        for (var i = 0; i < 3; i++)
        {
            await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", key, null, HttpStatusCode.OK);
        }

        using var request = host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)response.StatusCode}: {text}");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task EventStreams_AreCappedPerKey_With429AndAProblem_AndASlotFreesWhenAStreamCloses()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Events:MaxStreamsPerKey"] = "2" });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);
        var (otherKey, _) = await host.IssueKeyAsync(["trader"], [account]);
        using var first = await OpenStreamAsync(host, account, key);
        using var second = await OpenStreamAsync(host, account, key);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using (var third = await OpenStreamAsync(host, account, key))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await third.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal("EVENT_STREAM_LIMIT", problem.GetProperty("reason").GetString());
        }

        // The cap is per key: another key on the same account still streams.
        using (var other = await OpenStreamAsync(host, account, otherKey))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        // Closing a stream gives its slot back (once the gateway sees the disconnect).
        first.Dispose();
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var again = await OpenStreamAsync(host, account, key);
            if (again.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the closed stream never gave its slot back");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task EventStreamLimit_429_CarriesRetryAfter_LikeTheOtherRateLimits()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Events:MaxStreamsPerKey"] = "1",
            ["Gateway:Events:HeartbeatInterval"] = "00:00:07",
        });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);
        using var open = await OpenStreamAsync(host, account, key);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);

        using var refused = await OpenStreamAsync(host, account, key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(GatewayHost host, string account, string key)
    {
        using var request = host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }
}
