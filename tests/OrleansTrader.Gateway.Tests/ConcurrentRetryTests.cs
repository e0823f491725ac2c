using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// LESSONS 6: a client that retries (or a load balancer that replays) sends the same order many times at once. The client
/// order id is the idempotency key, so one order exists and every answer names it; a cancel sent many times at once takes
/// effect once. docs/api.md: a repeated clientOrderId with the same order is 200 with the existing order; a cancel the
/// order's state refuses is 409 with that state's reason.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConcurrentRetryTests(GatewayFixture fixture)
{
    private static readonly string[] RefusedCancelReasons = ["CANCEL_ALREADY_PENDING", "ORDER_NOT_CANCELABLE", "ORDER_IS_FINAL"];

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task TheSameOrderPostedFiftyTimesAtOnce_IsPlacedOnce_AndEveryAnswerNamesIt()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [account]);
        await Host.QuoteAsync("IDEM", 50m, 50.02m);
        var order = new { clientOrderId = "idem-1", symbol = "IDEM", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc" };
        var preview = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders/preview", trader,
            new { order.symbol, order.side, order.type, order.limitPrice, order.quantity, order.timeInForce }, HttpStatusCode.OK);
        Assert.True(preview.GetProperty("approved").GetBoolean(), preview.ToString());
        var reservation = preview.GetProperty("requiredReservation").GetDecimal();
        Assert.True(reservation > 0m, preview.ToString());

        var answers = await SendAtOnceAsync(50, HttpMethod.Post, $"/api/accounts/{account}/orders", trader, order);

        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.OK)).ToList();
        Assert.True(unexpected.Count == 0, $"{Statuses(answers)}; first unexpected: {unexpected.FirstOrDefault().Body}");
        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        var orderIds = answers.Select(a => a.Body.GetProperty("orderId").GetString()).Distinct().ToList();
        var orderId = Assert.Single(orderIds);
        Assert.All(answers, a => Assert.Equal("idem-1", a.Body.GetProperty("clientOrderId").GetString()));

        var orders = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders?status=all", trader, null, HttpStatusCode.OK);
        Assert.Equal(orderId, Assert.Single(orders.EnumerateArray()).GetProperty("orderId").GetString());
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", trader, null, HttpStatusCode.OK);
        Assert.Equal(reservation, snapshot.GetProperty("reserved").GetDecimal());
        Assert.Equal(1, snapshot.GetProperty("openOrderCount").GetInt32());
        var journal = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/journal", trader, null, HttpStatusCode.OK);
        Assert.Single(journal.EnumerateArray(), e => e.GetProperty("action").GetString() == "submitted");
    }

    [Fact]
    public async Task ACancelSentTwentyTimesAtOnce_TakesEffectOnce_AndTheOthersAreRefusedAsDocumented()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [account]);
        await Host.QuoteAsync("IDEC", 50m, 50.02m);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", trader, new
        {
            clientOrderId = "idem-cancel", symbol = "IDEC", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var orderId = placed.GetProperty("orderId").GetString();

        var answers = await SendAtOnceAsync(20, HttpMethod.Delete, $"/api/accounts/{account}/orders/{orderId}", trader, null);

        Assert.True(answers.Count(a => a.Status == HttpStatusCode.OK) == 1, Statuses(answers));
        var accepted = answers.Single(a => a.Status == HttpStatusCode.OK);
        Assert.Equal(orderId, accepted.Body.GetProperty("orderId").GetString());
        var refused = answers.Where(a => a.Status != HttpStatusCode.OK).ToList();
        Assert.All(refused, a =>
        {
            Assert.True(a.Status == HttpStatusCode.Conflict, $"{(int)a.Status}: {a.Body}");
            Assert.Contains(a.Body.GetProperty("reason").GetString(), RefusedCancelReasons);
        });

        var order = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{orderId}", trader, null, HttpStatusCode.OK);
        Assert.Equal("Canceled", order.GetProperty("status").GetString());
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", trader, null, HttpStatusCode.OK);
        Assert.Equal(0m, snapshot.GetProperty("reserved").GetDecimal());
        Assert.Equal(0, snapshot.GetProperty("openOrderCount").GetInt32());
        var journal = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/journal", trader, null, HttpStatusCode.OK);
        Assert.Single(journal.EnumerateArray(), e => e.GetProperty("action").GetString() == "cancel-requested");
        Assert.Single(journal.EnumerateArray(), e => e.GetProperty("to").GetString() == "Canceled");
    }

    private static string Statuses(List<(HttpStatusCode Status, JsonElement Body)> answers) =>
        string.Join(", ", answers.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}"));

    /// <summary>Sends <paramref name="count"/> copies of one request, all started before any is awaited.</summary>
    private async Task<List<(HttpStatusCode Status, JsonElement Body)>> SendAtOnceAsync(int count, HttpMethod method, string path, string key, object? body)
    {
        var ct = TestContext.Current.CancellationToken;
        var sends = Enumerable.Range(0, count).Select(_ => Host.Client.SendAsync(Host.Request(method, path, key, body), ct)).ToList();
        var answers = new List<(HttpStatusCode, JsonElement)>();
        foreach (var response in await Task.WhenAll(sends))
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                answers.Add((response.StatusCode, JsonDocument.Parse(text).RootElement.Clone()));
            }
        }

        return answers;
    }
}
