using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>POST /api/keys retried with its clientKeyId: one working key, whatever became of the first answer.</summary>
public sealed class KeyRetryTests
{
    // A POST /api/keys whose answer was lost and that was sent again issued a second key: the first, never seen by anyone,
    // stayed active (and counted against MaxActiveKeys) until an admin noticed and revoked it.
    [Fact]
    public async Task IssuingAgainWithTheClientKeyId_ReplacesTheFirstKey_WhichStopsWorkingAtOnce()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        var request = new { name = "deploy bot", roles = new[] { "trader" }, accounts = new[] { account }, clientKeyId = "deploy-bot.1" };

        var first = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, request, HttpStatusCode.Created);
        var firstKey = first.GetProperty("key").GetString()!;
        await AssertStatusAsync(host, firstKey, account, HttpStatusCode.OK); // now in this gateway's key cache

        var again = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, request, HttpStatusCode.OK);
        Assert.NotEqual(firstKey, again.GetProperty("key").GetString());
        Assert.Equal("deploy-bot.1", again.GetProperty("clientKeyId").GetString());
        await AssertStatusAsync(host, firstKey, account, HttpStatusCode.Unauthorized);
        await AssertStatusAsync(host, again.GetProperty("key").GetString()!, account, HttpStatusCode.OK);

        var holders = await KeysWithClientKeyIdAsync(host, "deploy-bot.1");
        Assert.Equal(
            [(first.GetProperty("keyId").GetString(), false), (again.GetProperty("keyId").GetString(), true)],
            holders.Select(k => (k.GetProperty("keyId").GetString(), Active: !(k.TryGetProperty("revokedAt", out var at) && at.ValueKind == JsonValueKind.String)))
                .OrderBy(k => k.Active));
    }

    // Without the check, a client key id reused by mistake for another key would have silently revoked the first one.
    [Fact]
    public async Task IssuingWithAClientKeyIdUsedForAnotherGrant_IsRefused_AndLeavesTheFirstKeyWorking()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        var first = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey,
            new { name = "reader", roles = new[] { "trader" }, accounts = new[] { account }, clientKeyId = "k-1" }, HttpStatusCode.Created);

        foreach (var other in new object[]
        {
            new { name = "reader", roles = new[] { "trader", "risk" }, accounts = new[] { account }, clientKeyId = "k-1" },
            new { name = "reader", roles = new[] { "trader" }, accounts = new[] { "*" }, clientKeyId = "k-1" },
            new { name = "writer", roles = new[] { "trader" }, accounts = new[] { account }, clientKeyId = "k-1" },
        })
        {
            var refused = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, other, HttpStatusCode.Conflict);
            Assert.Equal("CLIENT_KEY_ID_REUSED", refused.GetProperty("reason").GetString());
        }

        await AssertStatusAsync(host, first.GetProperty("key").GetString()!, account, HttpStatusCode.OK);
        Assert.Single(await KeysWithClientKeyIdAsync(host, "k-1"));
    }

    // A repeat after an admin revoked the key would otherwise bring a revoked grant back to life.
    [Fact]
    public async Task IssuingAgainWithTheClientKeyIdOfARevokedKey_IsRefused()
    {
        await using var host = await GatewayHost.StartAsync();
        var request = new { name = "ops", roles = new[] { "risk" }, accounts = new[] { "*" }, clientKeyId = "ops" };
        var first = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, request, HttpStatusCode.Created);
        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{first.GetProperty("keyId").GetString()}", host.AdminKey, null, HttpStatusCode.NoContent);

        var refused = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, request, HttpStatusCode.Conflict);
        Assert.Equal("CLIENT_KEY_ID_REUSED", refused.GetProperty("reason").GetString());
        Assert.Contains("revoked", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(await KeysWithClientKeyIdAsync(host, "ops"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task IssuingWithAMalformedClientKeyId_Is400NamingIt(string clientKeyId)
    {
        await using var host = await GatewayHost.StartAsync();
        var refused = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey,
            new { name = "k", roles = new[] { "admin" }, clientKeyId }, HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("clientKeyId", out _), refused.ToString());
    }

    private static async Task AssertStatusAsync(GatewayHost host, string key, string account, HttpStatusCode expected)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key);
        Assert.Equal(expected, response.StatusCode);
    }

    private static async Task<List<JsonElement>> KeysWithClientKeyIdAsync(GatewayHost host, string clientKeyId)
    {
        var keys = await host.SendJsonAsync(HttpMethod.Get, "/api/keys", host.AdminKey, null, HttpStatusCode.OK);
        return [.. keys.EnumerateArray().Where(k => k.TryGetProperty("clientKeyId", out var id) && id.GetString() == clientKeyId)];
    }
}
