using System.Net;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md, Errors: an unknown account is 404 <c>ACCOUNT_NOT_OPEN</c>. Every route under it answers so, and every 404
/// has the same shape (a fixed title, what was missing in <c>detail</c>) whichever layer found it missing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class UnknownAccountTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("GET", "/strategies/s1", null)]
    [InlineData("GET", "/strategies/s1/performance", null)]
    [InlineData("GET", "/strategies/s1/trades", null)]
    [InlineData("POST", "/strategies/s1/start", null)]
    [InlineData("POST", "/strategies/s1/stop", null)]
    [InlineData("PUT", "/strategies/s1/parameters", """{"parameters":{"quantity":"1"}}""")]
    [InlineData("DELETE", "/strategies/s1", null)]
    [InlineData("GET", "/webhooks/w1", null)]
    [InlineData("POST", "/webhooks/w1/resume", null)]
    [InlineData("POST", "/webhooks/w1/rotate-secret", "{}")]
    [InlineData("DELETE", "/webhooks/w1", null)]
    public async Task RoutesUnderAnUnknownAccount_Answer404AccountNotOpen(string method, string suffix, string? body)
    {
        var nobody = GatewayHost.NewId("nobody");

        var problem = await Host.SendJsonAsync(new HttpMethod(method), $"/api/accounts/{nobody}{suffix}", Host.AdminKey, body, HttpStatusCode.NotFound);

        Assert.Equal("ACCOUNT_NOT_OPEN", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AnUnknownAccount_IsTheSameProblem_WhetherTheGatewayOrTheAccountFindsItMissing()
    {
        var nobody = GatewayHost.NewId("nobody");
        var order = new { clientOrderId = "c1", symbol = "UNKN", side = "buy", type = "market", quantity = 1, timeInForce = "day" };

        // The gateway asks first on GET; the account itself refuses the order.
        var read = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{nobody}", Host.AdminKey, null, HttpStatusCode.NotFound);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{nobody}/orders", Host.AdminKey, order, HttpStatusCode.NotFound);

        Assert.Equal(placed.GetProperty("title").GetString(), read.GetProperty("title").GetString());
        Assert.True(read.TryGetProperty("detail", out var detail) && detail.GetString()!.Contains(nobody, StringComparison.Ordinal), read.ToString());
    }
}
