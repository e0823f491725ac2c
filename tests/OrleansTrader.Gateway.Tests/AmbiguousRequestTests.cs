using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Requests a server could read two ways, which the gateway refuses instead of picking one: a path with a dot segment
/// (".", "..", or percent-encoded "%2E") or an empty one (an id left empty), which the server would take for another
/// route, and a JSON body naming a field twice, where a proxy or a client's own check may read the first value and the
/// gateway would take the last.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AmbiguousRequestTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    /// <summary>
    /// docs/api.md: a bad path id is 400. Kestrel decodes "%2E" and then resolves dot segments, and routing takes a trailing
    /// "/" as none, so "DELETE .../orders/%2E" (an order id of ".") and "DELETE .../orders/" (an empty one) canceled every
    /// order, ".../positions/%2E" closed every position, and "GET .../orders/%2e%2e" answered the account. Sent over a real
    /// socket: the test server resolves nothing.
    /// </summary>
    [Fact]
    public async Task APathWithADotOrEmptySegment_IsA400_NeverTheRouteItResolvesTo()
    {
        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync();
        await host.QuoteAsync("DOTS", 50m, 50.02m);
        var order = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new
        {
            clientOrderId = "dots-resting", symbol = "DOTS", side = "buy", type = "limit", quantity = 1, limitPrice = 49.5m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var orderId = order.GetProperty("orderId").GetString()!;

        var failures = new List<string>();
        foreach (var (method, path) in new[]
                 {
                     ("DELETE", $"/api/accounts/{account}/orders/%2E"), ("DELETE", $"/api/accounts/{account}/orders/%2e"),
                     ("DELETE", $"/api/accounts/{account}/orders/."), ("DELETE", $"/api/accounts/{account}/orders/{orderId}/.."),
                     ("DELETE", $"/api/accounts/{account}/positions/%2E"), ("GET", $"/api/accounts/{account}/orders/%2e%2e"),
                     ("GET", $"/api/accounts/{account}/strategies/%2E%2E"), ("GET", $"/api/accounts/%2E"), ("GET", "/api/keys/%2e"),
                     ("DELETE", $"/api/accounts/{account}/orders/"), ("DELETE", $"/api/accounts/{account}/positions/"),
                     ("DELETE", $"/api/accounts/{account}/orders/?cancelOrders=true"), ("GET", $"/api/accounts//{account}"),
                     ("GET", $"/api/accounts/{account}/"),
                 })
        {
            var (status, contentType, _, body) = await RawHttp.SendAsync(host, method, path);
            if (status != 400 || contentType != "application/problem+json" || !body.Contains("\"path\"", StringComparison.Ordinal))
            {
                failures.Add($"{method} {path}: {status} {contentType} {body[..Math.Min(body.Length, 200)]}");
            }
        }

        var after = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{orderId}", host.AdminKey, null, HttpStatusCode.OK);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.DoesNotContain(after.GetProperty("status").GetString(), new[] { "PendingCancel", "Canceled" });
    }

    /// <summary>Outside the API a trailing slash typed by hand still opens the explorer and answers the health check.</summary>
    [Fact]
    public async Task OutsideTheApi_ATrailingSlash_IsLeftToRouting()
    {
        await using var host = await GatewayHost.StartAsync(listen: true);

        var (pageStatus, pageType, _, _) = await RawHttp.SendAsync(host, "GET", "/explorer/");
        var (healthStatus, _, _, healthBody) = await RawHttp.SendAsync(host, "GET", "/health/live/");
        var (throughDots, _, _, dotsBody) = await RawHttp.SendAsync(host, "GET", "/explorer/%2E%2E/api/keys");

        Assert.Equal((200, "text/html"), (pageStatus, pageType));
        Assert.True(healthStatus == 200, $"{healthStatus} {healthBody}");
        Assert.True(throughDots == 400 && dotsBody.Contains("\"path\"", StringComparison.Ordinal), $"{throughDots} {dotsBody}");
    }

    /// <summary>A dot inside a segment is no dot segment: an id such as "a.b" is checked as an id (400 for an account, whose ids take no dot), a symbol such as "BRK.B" read.</summary>
    [Fact]
    public async Task ADotInsideASegment_IsNotADotSegment()
    {
        await using var host = await GatewayHost.StartAsync(listen: true);

        var (status, _, _, body) = await RawHttp.SendAsync(host, "GET", "/api/symbols/BRK.B/quote");
        var (accountStatus, _, _, accountBody) = await RawHttp.SendAsync(host, "GET", "/api/accounts/a.b");

        Assert.True(status is 200 or 404, $"{status} {body}");
        Assert.DoesNotContain("\"path\"", body, StringComparison.Ordinal);
        Assert.Equal(400, accountStatus);
        Assert.Contains("\"accountId\"", accountBody, StringComparison.Ordinal);
    }

    /// <summary>
    /// A body naming a field twice, in the same case or another (the names match in any case), is 400 naming the field:
    /// before, the last one won silently, so "quantity": 1, "quantity": 900000 checked and placed 900000.
    /// </summary>
    [Theory]
    [InlineData("""{"clientOrderId":"dup-1","symbol":"DUPQ","side":"buy","type":"market","quantity":1,"quantity":900000,"timeInForce":"day"}""", "quantity")]
    [InlineData("""{"clientOrderId":"dup-2","symbol":"DUPQ","side":"buy","type":"market","quantity":1,"Quantity":900000,"timeInForce":"day"}""", "Quantity")]
    [InlineData("""{"clientOrderId":"dup-3","symbol":"DUPQ","side":"buy","side":"sell","type":"market","quantity":1,"timeInForce":"day"}""", "side")]
    public async Task AFieldSentTwice_IsA400NamingIt_NotTheLastValue(string body, string field)
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("DUPQ", 50m, 50.02m);

        using var response = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.Equal("Sent more than once; send each field once.", Assert.Single(errors.GetProperty(field).EnumerateArray()).GetString());
        var orders = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(0, orders.GetArrayLength());
    }

    /// <summary>A name given twice in a map (a strategy's parameters) is refused the same way, not the last value taken.</summary>
    [Fact]
    public async Task AParameterSentTwice_IsA400NamingIt()
    {
        var account = await Host.CreateAccountAsync();
        const string body = """{"strategyId":"dupp","kind":"sma-crossover","symbols":["DUPQ"],"parameters":{"quantity":"1","quantity":"5000"},"start":false}""";

        using var response = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, body);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.Equal("Sent more than once; send each field once.", Assert.Single(errors.GetProperty("parameters.quantity").EnumerateArray()).GetString());
    }
}
