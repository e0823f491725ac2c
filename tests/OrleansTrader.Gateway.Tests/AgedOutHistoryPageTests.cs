using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Accounts;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Fills and journal entries older than the history an account keeps (`Trading:Accounts:HistoryPages`) are gone. A reader
/// whose cursor is older than what is kept must learn that from the page: the fills it missed aged out while orders that
/// made no fills (placed and canceled) filled the history, so the kept pages held no fill at all, and the answer was an
/// empty list that read as "nothing new".
/// </summary>
public sealed class AgedOutHistoryPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFillsOrJournalPage_FromACursorOlderThanTheKeptHistory_SaysItIsTruncated_AndACaughtUpOneDoesNot()
    {
        await using var host = await GatewayHost.StartAsync(configureSilo: silo => silo.Services.Configure<AccountGrainOptions>(o =>
        {
            o.HistoryPages = 3;
            o.HistoryPagesInMemory = 1;
        }));
        var account = await host.CreateAccountAsync(1_000_000m);
        await host.QuoteAsync("AGEF", 10m, 10.01m);

        // The reader has read the first fill; two more come that it has not read yet.
        await PlaceFilledAsync(host, account, "agef-0");
        var (read, readHeaders) = await PageAsync(host, $"/api/accounts/{account}/fills?afterSequence=0");
        Assert.Equal(1, read.Single().GetProperty("sequence").GetInt64());
        Assert.Equal(("false", "1"), readHeaders);
        await PlaceFilledAsync(host, account, "agef-1");
        await PlaceFilledAsync(host, account, "agef-2");

        // Orders placed and canceled, with no fill, push every page that held a fill out of the history.
        for (var i = 0; i < 12; i++)
        {
            var resting = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey,
                new { clientOrderId = $"agef-rest-{i}", symbol = "AGEF", side = "buy", type = "limit", quantity = 1, limitPrice = 9.5, timeInForce = "day" },
                HttpStatusCode.Created);
            await host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/orders/{resting.GetProperty("orderId").GetString()}", host.AdminKey, null, HttpStatusCode.OK);
        }

        var (missed, missedHeaders) = await PageAsync(host, $"/api/accounts/{account}/fills?afterSequence=1");
        Assert.Empty(missed);
        Assert.Equal(("true", "4"), missedHeaders);

        // A reader that had read every fill missed nothing; one past the newest fill (a reset account) is told.
        Assert.Equal(("false", "4"), (await PageAsync(host, $"/api/accounts/{account}/fills?afterSequence=3")).Headers);
        Assert.Equal(("true", "4"), (await PageAsync(host, $"/api/accounts/{account}/fills?afterSequence=9")).Headers);

        // The journal likewise: its first kept entry is above 1, so a read from the start is truncated, and one from it is not.
        var (journal, journalHeaders) = await PageAsync(host, $"/api/accounts/{account}/journal?after=0&limit=1");
        var oldest = journal.Single().GetProperty("sequence").GetInt64();
        Assert.True(oldest > 1, $"The journal's oldest kept entry is {oldest}.");
        Assert.Equal(("true", oldest.ToString(System.Globalization.CultureInfo.InvariantCulture)), journalHeaders);
        Assert.Equal("false", (await PageAsync(host, $"/api/accounts/{account}/journal?after={oldest - 1}&limit=1")).Headers.Truncated);
    }

    private static async Task<(List<JsonElement> Items, (string? Truncated, string? Oldest) Headers)> PageAsync(GatewayHost host, string path)
    {
        using var response = await host.SendAsync(HttpMethod.Get, path, host.AdminKey);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        var truncated = response.Headers.TryGetValues("X-History-Truncated", out var t) ? t.Single() : null;
        var oldest = response.Headers.TryGetValues("X-History-Oldest-Sequence", out var o) ? o.Single() : null;
        return ([.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone())], (truncated, oldest));
    }

    private static async Task PlaceFilledAsync(GatewayHost host, string account, string clientOrderId)
    {
        var placed = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey,
            new { clientOrderId, symbol = "AGEF", side = "buy", type = "market", quantity = 1, timeInForce = "day" },
            HttpStatusCode.Created);
        var orderId = placed.GetProperty("orderId").GetString()!;
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
