using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Every paged list of the API: its limit bounds as documented, a walk of the orders while orders are placed and end
/// between the pages (each order that existed when the walk began comes once, none twice), and the account's and a
/// strategy's trades answers saying whether older trades are gone.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class PagedListTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    public static TheoryData<string> LimitRoutes => new()
    {
        "/api/accounts",
        "/api/keys",
        "/api/accounts/{account}/orders",
        "/api/accounts/{account}/fills",
        "/api/accounts/{account}/journal",
        "/api/accounts/{account}/trades",
        "/api/accounts/{account}/breaker/audit",
        "/api/trading/audit",
    };

    [Theory]
    [MemberData(nameof(LimitRoutes))]
    public async Task EveryLimit_TakesOneToFiveHundred_AndRefusesTheRestNamingIt(string route)
    {
        var path = route.Replace("{account}", await Host.CreateAccountAsync(), StringComparison.Ordinal);

        foreach (var limit in new[] { "1", "500" })
        {
            using var taken = await Host.SendAsync(HttpMethod.Get, $"{path}?limit={limit}", Host.AdminKey);
            Assert.True(taken.StatusCode == HttpStatusCode.OK, $"{path}?limit={limit}: {(int)taken.StatusCode}");
        }

        foreach (var (limit, message) in new[] { ("0", "Must be between 1 and 500."), ("501", "Must be between 1 and 500."), ("abc", "Must be a whole number."), ("1.5", "Must be a whole number.") })
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Get, $"{path}?limit={limit}", Host.AdminKey, null, HttpStatusCode.BadRequest);
            Assert.Equal(message, problem.GetProperty("errors").GetProperty("limit")[0].GetString());
        }
    }

    [Fact]
    public async Task WalkingTheOrders_WhileOrdersArePlacedAndEndBetweenPages_MeetsEveryOrderOfTheWalksStartOnce()
    {
        var account = await Host.CreateAccountAsync(1_000_000m);
        await Host.QuoteAsync("PGWK", 10m, 10.01m);
        var orders = $"/api/accounts/{account}/orders";
        var working = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            working.Add(await RestAsync(orders, $"pgwk-{i}"));
        }

        foreach (var orderId in working.Take(3).ToList())
        {
            await Host.SendJsonAsync(HttpMethod.Delete, $"{orders}/{orderId}", Host.AdminKey, null, HttpStatusCode.OK);
            working.Remove(orderId);
        }

        foreach (var status in new[] { "all", "closed", "open" })
        {
            var atStart = await ListAsync($"{orders}?status={status}&limit=500");
            var walked = new List<string>();
            string? after = null;
            while (true)
            {
                var ids = await ListAsync($"{orders}?status={status}&limit=2{(after is null ? "" : "&after=" + after)}");
                walked.AddRange(ids);
                if (ids.Count < 2)
                {
                    break;
                }

                // Between pages: a newer order comes, and the oldest working order ends (open to canceled).
                after = ids[^1];
                working.Add(await RestAsync(orders, $"pgwk-{status}-{walked.Count}"));
                await Host.SendJsonAsync(HttpMethod.Delete, $"{orders}/{working[0]}", Host.AdminKey, null, HttpStatusCode.OK);
                working.RemoveAt(0);
            }

            // Every order of the walk's start that still belongs to the list comes once; none comes twice.
            var atEnd = await ListAsync($"{orders}?status={status}&limit=500");
            Assert.Equal(walked.Distinct().Count(), walked.Count);
            Assert.Subset(walked.ToHashSet(), atStart.Intersect(atEnd).ToHashSet());
            Assert.Equal(walked.OrderByDescending(id => long.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)), walked);
            if (status == "all")
            {
                Assert.Equal(atStart, walked);
            }
        }
    }

    [Fact]
    public async Task TheTradesAnswer_SaysWhetherOlderTradesAreGone_InItsHeaderAndBody()
    {
        var account = await Host.CreateAccountAsync();

        using var response = await Host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}/trades?limit=5", Host.AdminKey);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("false", response.Headers.TryGetValues("X-History-Truncated", out var values) ? values.Single() : null);
        Assert.False(body.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task TheStrategyTradesAnswer_SaysWhetherOlderTradesAreGone_InItsHeaderAndBody_AsTheAccounts()
    {
        var account = await Host.CreateAccountAsync();
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey, new
        {
            strategyId = "pgtr", kind = "sma-crossover", symbols = new[] { "PGTR" }, parameters = new Dictionary<string, string> { ["quantity"] = "1" },
            start = false,
        }, HttpStatusCode.Created);

        using var response = await Host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies/pgtr/trades?limit=5", Host.AdminKey);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("false", response.Headers.TryGetValues("X-History-Truncated", out var values) ? values.Single() : null);
        Assert.False(body.GetProperty("truncated").GetBoolean());
        Assert.Empty(body.GetProperty("trades").EnumerateArray());
    }

    private async Task<List<string>> ListAsync(string path) =>
        [.. (await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK)).EnumerateArray().Select(o => o.GetProperty("orderId").GetString()!)];

    private async Task<string> RestAsync(string orders, string clientOrderId)
    {
        var placed = await Host.SendJsonAsync(HttpMethod.Post, orders, Host.AdminKey,
            new { clientOrderId, symbol = "PGWK", side = "buy", type = "limit", quantity = 1, limitPrice = 9.5, timeInForce = "day" },
            HttpStatusCode.Created);
        return placed.GetProperty("orderId").GetString()!;
    }
}
