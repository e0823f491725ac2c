using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Behind a proxy (the Container Apps ingress) every connection comes from the proxy. What the Azure template sets,
/// ASPNETCORE_FORWARDEDHEADERS_ENABLED=true, must give the gateway's per-address limits the client's own address, so one
/// client that exhausts its anonymous limit does not lock out the others.
/// </summary>
public sealed class ForwardedHeadersRateLimitTests
{
    private const string FirstClient = "203.0.113.10";
    private const string SecondClient = "203.0.113.20";

    [Fact]
    public async Task WithForwardedHeadersEnabled_EachForwardedClientHasItsOwnAnonymousLimit()
    {
        using var factory = Silo(forwardedHeadersEnabled: true);
        using var client = factory.CreateClient();

        await ExhaustAnonymousLimitAsync(client, FirstClient);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, await AnonymousGetAsync(client, SecondClient));
    }

    [Fact]
    public async Task WithoutForwardedHeaders_AllClientsBehindTheProxyShareOneLimit()
    {
        // Why the template sets it: here the second client is refused for the first one's requests.
        using var factory = Silo(forwardedHeadersEnabled: false);
        using var client = factory.CreateClient();

        await ExhaustAnonymousLimitAsync(client, FirstClient);

        Assert.Equal(HttpStatusCode.TooManyRequests, await AnonymousGetAsync(client, SecondClient));
    }

    private static WebApplicationFactory<Program> Silo(bool forwardedHeadersEnabled) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Kind", "none")
            .UseSetting("Gateway:RateLimits:AnonymousPermitsPerWindow", "2")
            .UseSetting("Gateway:RateLimits:Window", "01:00:00")
            // The key ASPNETCORE_FORWARDEDHEADERS_ENABLED becomes in the host's configuration.
            .UseSetting("FORWARDEDHEADERS_ENABLED", forwardedHeadersEnabled ? "true" : "false"));

    private static async Task ExhaustAnonymousLimitAsync(HttpClient client, string address)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await AnonymousGetAsync(client, address));
        Assert.Equal(HttpStatusCode.Unauthorized, await AnonymousGetAsync(client, address));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AnonymousGetAsync(client, address));
    }

    private static async Task<HttpStatusCode> AnonymousGetAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/accounts");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
