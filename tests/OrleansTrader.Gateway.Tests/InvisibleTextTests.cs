using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md: names and reasons are text a person reads, in lists, events and the breaker's audit. One of nothing but
/// zero-width characters showed as nothing, and a bidirectional override (U+202E) showed the text after it reversed, so a
/// reason could read as another; both passed, as neither is a control character.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class InvisibleTextTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u200B\u2060\uFEFF")]
    [InlineData(" \u200B ")]
    [InlineData("Alice \u202Eevil")]
    [InlineData("\u2066Alice\u2069")]
    [InlineData("\u202DAlice")]
    public async Task AnAccountName_NothingOfWhichShows_OrThatReordersItsText_IsA400NamingName(string name)
    {
        var id = GatewayHost.NewId("inv");

        using var response = await Host.SendAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey, new { accountId = id, name, initialCash = 1_000m });

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal(
            "Must be 1 to 100 characters, some of them visible, without control or bidirectional formatting characters.",
            JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("name")[0].GetString());
        await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{id}", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABreakerTripReason_ThatReordersItsText_IsA400NamingReason_AndNothingTrips()
    {
        var account = await Host.CreateAccountAsync();

        var refused = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", Host.AdminKey,
            new { reason = "desk \u202Edeggolnu" }, HttpStatusCode.BadRequest);

        Assert.True(refused.GetProperty("errors").TryGetProperty("reason", out _), refused.ToString());
        var breaker = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal("Active", breaker.GetProperty("account").GetProperty("state").GetString());
    }

    /// <summary>A strategy's parameter values are shown back in its status: one that reorders its text passed, as no control character.</summary>
    [Fact]
    public async Task AStrategyParameterValue_ThatReordersItsText_IsA400NamingIt_AndNoStrategyIsCreated()
    {
        var account = await Host.CreateAccountAsync();

        var refused = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "bidi", kind = "sma-crossover", symbols = new[] { "SPY" },
            parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "\u202E5" }, start = false,
        }, HttpStatusCode.BadRequest);

        Assert.Equal(
            "Must be a string of at most 256 characters, without control or bidirectional formatting characters.",
            refused.GetProperty("errors").GetProperty("parameters.fastPeriod")[0].GetString());
        await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies/bidi", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    /// <summary>What people write is still taken: accents, other scripts, emoji, and the joiner inside an emoji sequence.</summary>
    [Theory]
    [InlineData("Zoë Ångström")]
    [InlineData("東京 desk")]
    [InlineData("family \U0001F468\u200D\U0001F469\u200D\U0001F467")]

    // A right-to-left mark places punctuation in Hebrew and Arabic text; it reorders nothing else.
    [InlineData("\u05D3\u05E0\u05D4 (IL)\u200F")]
    public async Task AnAccountName_OfVisibleText_IsTaken(string name)
    {
        var id = GatewayHost.NewId("vis");

        var created = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey, new { accountId = id, name, initialCash = 1_000m }, HttpStatusCode.Created);

        Assert.Equal(name, created.GetProperty("name").GetString());
    }
}
