using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The breaker's thresholds and audit through the API (docs/api.md, "Risk").</summary>
[Collection(GatewayCollection.Name)]
public sealed class BreakerPolicyApiTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task APolicyLoweredBelowTodaysLoss_TripsReducingAtOnce_AndTheAuditSaysWhy()
    {
        var account = await Host.CreateAccountAsync(cash: 10_000m);
        var (risk, _) = await Host.IssueKeyAsync(["risk"], [account]);
        await Host.QuoteAsync("BPOL", 100m, 100m);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "bpol-1", symbol = "BPOL", side = "buy", type = "market", quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}", o => o.GetProperty("status").GetString() == "Filled");
        await Host.QuoteAsync("BPOL", 90m, 90m);

        var before = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker/policy", Host.AdminKey, null, HttpStatusCode.OK);
        var changed = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/breaker/policy", risk,
            new { dailyLossLimit = 50 }, HttpStatusCode.OK);

        Assert.Equal(5000m, before.GetProperty("dailyLossLimit").GetDecimal());
        Assert.Equal(50m, changed.GetProperty("dailyLossLimit").GetDecimal());
        Assert.Equal(10m, changed.GetProperty("maxDrawdownPercent").GetDecimal());
        Assert.Equal("00:01:00", changed.GetProperty("staleDataMaxAge").GetString());

        // Day P&L is 10 x (90 - 100) = -100, past the new 50: reducing when the change is answered, no tick awaited.
        var breaker = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal("Reducing", breaker.GetProperty("account").GetProperty("state").GetString());
        var audit = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker/audit", Host.AdminKey, null, HttpStatusCode.OK);
        var entry = Assert.Single(audit.EnumerateArray());
        var transition = entry.GetProperty("transition");
        Assert.Equal("DailyLoss", transition.GetProperty("trigger").GetString());
        Assert.Equal("Reducing", transition.GetProperty("to").GetString());
        Assert.Equal(50m, transition.GetProperty("values").GetProperty("dailyLossLimit").GetDecimal());

        // A trip by hand follows; the next page after the first entry holds only it.
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", risk, new { reason = "desk review" }, HttpStatusCode.OK);
        var next = await Host.SendJsonAsync(HttpMethod.Get,
            $"/api/accounts/{account}/breaker/audit?after={entry.GetProperty("version").GetInt64()}", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(["Manual"], next.EnumerateArray().Select(e => e.GetProperty("transition").GetProperty("trigger").GetString()));
    }

    [Fact]
    public async Task APolicyIsSetAtOpening_OmittedFieldsKeepTheirValue_AndOnlyTheRiskRoleChangesIt()
    {
        var id = GatewayHost.NewId("bpol");
        await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey, new
        {
            accountId = id, name = "policy at opening", initialCash = 20_000, breakerPolicy = new { dailyLossLimit = 400, staleDataMaxAge = "00:05:00" },
        }, HttpStatusCode.Created);
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [id]);

        var opened = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{id}/breaker/policy", trader, null, HttpStatusCode.OK);
        await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{id}/breaker/policy", trader, new { dailyLossLimit = 1 }, HttpStatusCode.Forbidden);
        var changed = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{id}/breaker/policy", Host.AdminKey,
            new { maxDrawdownPercent = 2.5, minErrorSamples = 20 }, HttpStatusCode.OK);

        Assert.Equal(400m, opened.GetProperty("dailyLossLimit").GetDecimal());
        Assert.Equal("00:05:00", opened.GetProperty("staleDataMaxAge").GetString());
        Assert.Equal(0.5m, opened.GetProperty("maxBrokerErrorRate").GetDecimal());
        Assert.Equal(400m, changed.GetProperty("dailyLossLimit").GetDecimal());
        Assert.Equal(2.5m, changed.GetProperty("maxDrawdownPercent").GetDecimal());
        Assert.Equal(20, changed.GetProperty("minErrorSamples").GetInt32());
        Assert.Equal("00:05:00", changed.GetProperty("staleDataMaxAge").GetString());
        Assert.Empty((await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{id}/breaker/audit", trader, null, HttpStatusCode.OK)).EnumerateArray());
    }

    [Theory]
    [InlineData("dailyLossLimit", 0, "Must be above 0 and at most 1000000000000.")]
    [InlineData("maxDrawdownPercent", 100.5, "Must be above 0 and at most 100.")]
    [InlineData("maxBrokerErrorRate", 1.5, "Must be above 0 and at most 1.")]
    [InlineData("errorWindow", "1.00:00:01", "Must be positive and at most one day.")]
    [InlineData("minErrorSamples", 0, "Must be between 1 and 100000.")]
    [InlineData("staleDataMaxAge", "00:00:00", "Must be positive and at most one day.")]
    public async Task AnInvalidThreshold_IsRefusedUnderItsField_AtOpeningAndOnChange(string field, object value, string message)
    {
        var account = await Host.CreateAccountAsync();

        var put = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/breaker/policy", Host.AdminKey,
            new Dictionary<string, object> { [field] = value }, HttpStatusCode.BadRequest);
        var create = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey,
            new { name = "policy", initialCash = 1000, breakerPolicy = new Dictionary<string, object> { [field] = value } }, HttpStatusCode.BadRequest);

        Assert.Equal([message], put.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["breakerPolicy." + field], create.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var kept = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker/policy", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(5000m, kept.GetProperty("dailyLossLimit").GetDecimal());
    }

    [Fact]
    public async Task TheAuditRoutes_PageLikeTheJournal_AndAnUnknownAccountIs404()
    {
        var (anyKey, _) = await Host.IssueKeyAsync(["trader"], [await Host.CreateAccountAsync()]);

        var global = await Host.SendJsonAsync(HttpMethod.Get, "/api/trading/audit?limit=500", anyKey, null, HttpStatusCode.OK);
        var tooMany = await Host.SendJsonAsync(HttpMethod.Get, "/api/trading/audit?limit=501", anyKey, null, HttpStatusCode.BadRequest);
        var negative = await Host.SendJsonAsync(HttpMethod.Get, "/api/trading/audit?after=-1", anyKey, null, HttpStatusCode.BadRequest);
        var unknown = await Host.SendJsonAsync(HttpMethod.Get, "/api/accounts/no-such-account/breaker/audit", Host.AdminKey, null, HttpStatusCode.NotFound);
        var unknownPolicy = await Host.SendJsonAsync(HttpMethod.Put, "/api/accounts/no-such-account/breaker/policy", Host.AdminKey,
            new { dailyLossLimit = 10 }, HttpStatusCode.NotFound);

        var versions = global.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.True(tooMany.GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True(negative.GetProperty("errors").TryGetProperty("after", out _));
        Assert.Equal("ACCOUNT_NOT_OPEN", unknown.GetProperty("reason").GetString());
        Assert.Equal("ACCOUNT_NOT_OPEN", unknownPolicy.GetProperty("reason").GetString());
    }

    private async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            var value = await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK);
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{path} never reached the expected state: {value}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
