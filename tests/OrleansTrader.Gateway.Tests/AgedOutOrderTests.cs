using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Accounts;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A closed order older than the history an account keeps (`Trading:Accounts:HistoryPages`) is gone: its 404 says so,
/// instead of telling a client reconciling its own records that the order never existed.
/// </summary>
public sealed class AgedOutOrderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOrderPastTheAccountsHistory_Is404SayingItIsNoLongerKept_NotThatItNeverExisted()
    {
        await using var host = await GatewayHost.StartAsync(configureSilo: silo => silo.Services.Configure<AccountGrainOptions>(o =>
        {
            o.HistoryPages = 3;
            o.HistoryPagesInMemory = 1;
        }));
        var account = await host.CreateAccountAsync(1_000_000m);
        await host.QuoteAsync("AGED", 10m, 10.01m);

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var placed = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey,
                new { clientOrderId = $"aged-{i}", symbol = "AGED", side = "buy", type = "market", quantity = 1, timeInForce = "day" },
                HttpStatusCode.Created);
            var orderId = placed.GetProperty("orderId").GetString()!;
            ids.Add(orderId);
            await FilledAsync(host, account, orderId);
        }

        var gone = await NotFoundDetailAsync(host, $"/api/accounts/{account}/orders/{ids[0]}");
        Assert.Contains($"Order {ids[0]} of account {account} closed before the oldest history the account keeps", gone, StringComparison.Ordinal);

        var never = await NotFoundDetailAsync(host, $"/api/accounts/{account}/orders/O000009999");
        Assert.Equal($"Order O000009999 does not exist in account {account}.", never);
        await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{ids[9]}", host.AdminKey, null, HttpStatusCode.OK);
    }

    // docs/api.md: closed orders are kept only as far back as the history. The list's last page gave no sign of the ones
    // that aged out: it read as the end of every order the account ever closed.
    [Fact]
    public async Task AnOrderListReachingPastTheAccountsHistory_SaysItIsTruncated_AndOneWithEverythingKeptDoesNot()
    {
        await using var host = await GatewayHost.StartAsync(configureSilo: silo => silo.Services.Configure<AccountGrainOptions>(o =>
        {
            o.HistoryPages = 3;
            o.HistoryPagesInMemory = 1;
        }));
        await host.QuoteAsync("AGEL", 10m, 10.01m);
        var aged = await host.CreateAccountAsync(1_000_000m);
        var kept = await host.CreateAccountAsync(1_000_000m);
        for (var i = 0; i < 10; i++)
        {
            await PlaceFilledAsync(host, aged, $"agel-{i}");
        }

        await PlaceFilledAsync(host, kept, "agel-kept");

        var last = await ListAsync(host, $"/api/accounts/{aged}/orders?status=closed&limit=500");
        Assert.True(last.Count is > 0 and < 10, $"{last.Count} closed orders kept.");
        Assert.Equal("true", last.Truncated);
        Assert.Equal("true", (await ListAsync(host, $"/api/accounts/{aged}/orders?status=all&limit=500")).Truncated);
        Assert.Equal("true", (await ListAsync(host, $"/api/accounts/{aged}/orders?status=closed&after={last.OldestId}")).Truncated);

        // A page that does not reach the end of the list, a list of working orders and one whose orders are all kept are whole.
        Assert.Equal("false", (await ListAsync(host, $"/api/accounts/{aged}/orders?status=closed&limit=1")).Truncated);
        Assert.Equal("false", (await ListAsync(host, $"/api/accounts/{aged}/orders?status=open")).Truncated);
        Assert.Equal("false", (await ListAsync(host, $"/api/accounts/{kept}/orders?status=closed")).Truncated);
    }

    private static async Task<(int Count, string? OldestId, string? Truncated)> ListAsync(GatewayHost host, string path)
    {
        using var response = await host.SendAsync(HttpMethod.Get, path, host.AdminKey);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        var orders = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        var truncated = response.Headers.TryGetValues("X-History-Truncated", out var values) ? values.Single() : null;
        return (orders.Count, orders.Count > 0 ? orders[^1].GetProperty("orderId").GetString() : null, truncated);
    }

    private static async Task PlaceFilledAsync(GatewayHost host, string account, string clientOrderId)
    {
        var placed = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey,
            new { clientOrderId, symbol = "AGEL", side = "buy", type = "market", quantity = 1, timeInForce = "day" },
            HttpStatusCode.Created);
        await FilledAsync(host, account, placed.GetProperty("orderId").GetString()!);
    }

    private static async Task<string> NotFoundDetailAsync(GatewayHost host, string path)
    {
        using var response = await host.SendAsync(HttpMethod.Get, path, host.AdminKey);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("ORDER_NOT_FOUND", problem.GetProperty("reason").GetString());
        return problem.GetProperty("detail").GetString()!;
    }

    private static async Task FilledAsync(GatewayHost host, string account, string orderId)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            var order = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{orderId}", host.AdminKey, null, HttpStatusCode.OK);
            if (order.GetProperty("status").GetString() == "Filled")
            {
                return;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{orderId} never filled: {order}");
            await Task.Delay(50, Ct);
        }
    }
}
