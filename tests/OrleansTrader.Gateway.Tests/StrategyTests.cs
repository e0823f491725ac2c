using System.Net;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class StrategyTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Strategy_IsCreatedListedStartedStoppedAndDeleted_ThroughTheApi()
    {
        var account = await Host.CreateAccountAsync();
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [account]);
        var root = $"/api/accounts/{account}/strategies";

        var created = await Host.SendJsonAsync(HttpMethod.Post, root, trader, new
        {
            strategyId = "sma-1", kind = "sma-crossover", symbols = new[] { "STRA" }, barInterval = "1s",
            parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
        }, HttpStatusCode.Created);
        Assert.False(created.GetProperty("running").GetBoolean());

        var listed = await Host.SendJsonAsync(HttpMethod.Get, root, trader, null, HttpStatusCode.OK);
        Assert.Equal("sma-1", Assert.Single(listed.EnumerateArray()).GetProperty("strategyId").GetString());
        var started = await Host.SendJsonAsync(HttpMethod.Post, $"{root}/sma-1/start", trader, null, HttpStatusCode.OK);
        Assert.True(started.GetProperty("running").GetBoolean());
        var stopped = await Host.SendJsonAsync(HttpMethod.Post, $"{root}/sma-1/stop", trader, null, HttpStatusCode.OK);
        Assert.False(stopped.GetProperty("running").GetBoolean());
        var changed = await Host.SendJsonAsync(HttpMethod.Put, $"{root}/sma-1/parameters", trader, new
        {
            parameters = new Dictionary<string, string> { ["quantity"] = "7", ["fastPeriod"] = "4", ["slowPeriod"] = "9" },
        }, HttpStatusCode.OK);
        Assert.Equal("9", changed.GetProperty("parameters").GetProperty("slowPeriod").GetString());

        await Host.SendJsonAsync(HttpMethod.Delete, $"{root}/sma-1", trader, null, HttpStatusCode.NoContent);
        await Host.SendJsonAsync(HttpMethod.Get, $"{root}/sma-1", trader, null, HttpStatusCode.NotFound);
        var empty = await Host.SendJsonAsync(HttpMethod.Get, root, trader, null, HttpStatusCode.OK);
        Assert.Empty(empty.EnumerateArray());
    }

    [Fact]
    public async Task Strategy_IsRefusedWith422_ForAnUnknownKind()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            kind = "martingale", symbols = new[] { "STRB" },
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("STRATEGY_KIND_UNKNOWN", problem.GetProperty("reason").GetString());
        var listed = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(listed.EnumerateArray());
    }
}
