using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.MarketData;

namespace OrleansTrader.Silo.Tests;

/// <summary>In the embedded default, a strategy created through the API warms up on the bars the silo's feed has made.</summary>
public sealed class StrategyWarmUpSiloTests
{
    private const string AdminKey = "warm-up-silo-test-admin-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStrategyCreatedThroughTheApi_WarmsUpOnTheSilosOwnBars_AndReportsItInItsStatus()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Feed:Symbols:0", "WARM")
            .UseSetting("Gateway:BootstrapAdminKey", AdminKey));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        Assert.Empty(factory.Services.GetServices<IHistoricalBarSource>());
        var opened = await client.PostAsJsonAsync("/api/accounts", new { accountId = "warm", name = "Warm", initialCash = 100_000, currency = "USD", broker = "paper" }, Ct);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        // The synthetic feed ticks once a second: wait for three completed one-second bars.
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
        while ((await client.GetFromJsonAsync<JsonElement>("/api/symbols/WARM/bars?interval=1s", Ct)).GetArrayLength() < 3)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the feed made no three one-second bars in 30 s");
            await Task.Delay(200, Ct);
        }

        var created = await client.PostAsJsonAsync("/api/accounts/warm/strategies", new
        {
            strategyId = "sma",
            kind = "sma-crossover",
            symbols = new[] { "WARM" },
            barInterval = "1s",
            parameters = new Dictionary<string, string> { ["quantity"] = "1", ["fastPeriod"] = "2", ["slowPeriod"] = "3" },
            start = true,
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var warmUp = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("warmUp");
        Assert.Equal(3, warmUp.GetProperty("barsWanted").GetInt32());
        Assert.Equal(0, warmUp.GetProperty("intentsRefused").GetInt64());
        var symbol = Assert.Single(warmUp.GetProperty("symbols").EnumerateArray());
        Assert.Equal(("WARM", 3, "silo"), (symbol.GetProperty("symbol").GetString(), symbol.GetProperty("bars").GetInt32(), symbol.GetProperty("source").GetString()));
        var first = symbol.GetProperty("firstBarStart").GetDateTimeOffset();
        var last = symbol.GetProperty("lastBarEnd").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromSeconds(3), last - first);
    }
}
