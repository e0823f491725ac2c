using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The silo's own Program (the embedded default: synthetic feed, paper exchange), in memory, driven by HTTP alone.</summary>
public sealed class EmbeddedDefaultTests
{
    [Fact]
    public async Task EmbeddedDefault_CreatesAnAccount_FillsAMarketOrder_AndShowsThePosition_OverHttp()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = ApiKeyHasher.Generate();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:Provider", "memory")
            .UseSetting("Demo:Enabled", "false")
            .UseSetting("Gateway:BootstrapAdminKey", key));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        await PollAsync(client, "/api/symbols/AAPL/quote", q => q.GetProperty("lastQuote").ValueKind == JsonValueKind.Object);
        using (var created = await client.PostAsJsonAsync("/api/accounts", new { accountId = "tour", name = "Tour", initialCash = 100_000, broker = "paper" }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        string orderId;
        using (var placed = await client.PostAsJsonAsync("/api/accounts/tour/orders", new
        {
            clientOrderId = "tour-1", symbol = "AAPL", side = "buy", type = "market", quantity = 10, timeInForce = "day",
        }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
            orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("orderId").GetString()!;
        }

        var order = await PollAsync(client, $"/api/accounts/tour/orders/{orderId}", o => o.GetProperty("status").GetString() == "Filled");
        var price = order.GetProperty("averageFillPrice").GetDecimal();
        var positions = await PollAsync(client, "/api/accounts/tour/positions", p => p.GetArrayLength() == 1);
        var position = positions[0];
        Assert.Equal("AAPL", position.GetProperty("symbol").GetString());
        Assert.Equal(10m, position.GetProperty("quantity").GetDecimal());
        Assert.Equal(price, position.GetProperty("averageEntryPrice").GetDecimal());
        using var anonymous = factory.CreateClient();
        using var refused = await anonymous.GetAsync("/api/accounts/tour", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var health = await anonymous.GetAsync("/health/live", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, string path, Func<JsonElement, bool> done)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var value = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{path} never reached the expected state: {value}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
