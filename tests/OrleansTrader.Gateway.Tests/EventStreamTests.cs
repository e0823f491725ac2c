using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class EventStreamTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task Events_DeliverAFill_AndResumeAfterReconnectWithLastEventId_WithoutGapsOrDuplicates()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("SSEA", 30m, 30.01m);

        List<SseEvent> first;
        using (var stream = await OpenAsync(account, null))
        {
            await PlaceMarketAsync(account, "sse-1");
            first = await ReadUntilAsync(stream, events => events.Any(e => e.Kind == "fill"));
        }

        var lastId = first[^1].Id!.Value;
        await PlaceMarketAsync(account, "sse-2");
        using var resumed = await OpenAsync(account, lastId);
        var second = await ReadUntilAsync(resumed, events => events.Any(e => e.Kind == "fill"));

        Assert.Equal(lastId + 1, second[0].Id);
        var ids = first.Concat(second).Select(e => e.Id!.Value).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(Enumerable.Range((int)ids[0], ids.Count).Select(i => (long)i), ids);
        var fill = JsonDocument.Parse(second.First(e => e.Kind == "fill").Data).RootElement;
        Assert.Equal("sse-2", fill.GetProperty("fill").GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task Events_DeliverACashTransfer_WithTheTransfer()
    {
        var account = await Host.CreateAccountAsync(cash: 1_000m);
        using var stream = await OpenAsync(account, null);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Host.AdminKey, new { transferId = "sse-dep", amount = 250m },
            HttpStatusCode.Created);

        var events = await ReadUntilAsync(stream, events => events.Any(e => e.Kind == "cashTransfer"));

        var transfer = JsonDocument.Parse(events.Single(e => e.Kind == "cashTransfer").Data).RootElement.GetProperty("transfer");
        Assert.Equal(("sse-dep", 250m, 1_250m), (transfer.GetProperty("transferId").GetString(), transfer.GetProperty("amount").GetDecimal(),
            transfer.GetProperty("cashAfter").GetDecimal()));
    }

    /// <summary>The event carries the transfer as the transfers route answers it: its amount to the cent, not as written.</summary>
    [Fact]
    public async Task Events_DeliverACashTransfersAmount_ToTheCent()
    {
        var account = await Host.CreateAccountAsync(cash: 1_000m);
        using var stream = await OpenAsync(account, null);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Host.AdminKey, """{"transferId":"sse-cents","amount":2.500}""",
            HttpStatusCode.Created);

        var events = await ReadUntilAsync(stream, events => events.Any(e => e.Kind == "cashTransfer"));

        var data = events.Single(e => e.Kind == "cashTransfer").Data;
        Assert.Contains("\"amount\":2.50,", data, StringComparison.Ordinal);
    }

    /// <summary>An id past the account's newest event (its history was reset) would otherwise skip every event up to it.</summary>
    [Fact]
    public async Task Events_ALastEventIdPastTheNewestEvent_IsAnnouncedAsTruncated_ThenTheHistoryFollows()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("SSEA", 30m, 30.01m);
        using (var stream = await OpenAsync(account, null))
        {
            await PlaceMarketAsync(account, "sse-future");
            await ReadUntilAsync(stream, events => events.Any(e => e.Kind == "fill"));
        }

        using var resumed = await OpenAsync(account, 1_000_000);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var truncated = await resumed.NextAsync(timeout.Token);
        var next = await resumed.NextAsync(timeout.Token);

        Assert.Equal((null, "truncated"), (truncated.Id, truncated.Kind));
        var announced = JsonDocument.Parse(truncated.Data).RootElement;
        Assert.Equal((1_000_000L, 1L), (announced.GetProperty("requestedAfter").GetInt64(), announced.GetProperty("oldestSequence").GetInt64()));
        Assert.Equal(1, next.Id);
    }

    [Fact]
    public async Task Events_RefuseAMalformedLastEventId()
    {
        var account = await Host.CreateAccountAsync();
        using var request = Host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", Host.AdminKey);
        request.Headers.Add("Last-Event-ID", "-3");

        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>
    /// A browser's EventSource accepts only text/event-stream; its refusals must still be the documented problems. The
    /// framework writes a problem only for a client that accepts JSON, so a key of another account got a 500 with no body.
    /// </summary>
    [Fact]
    public async Task Events_AKeyOfAnotherAccount_IsRefusedWithA403Problem_ToAClientAcceptingOnlyEvents()
    {
        var account = await Host.CreateAccountAsync();
        var other = await Host.CreateAccountAsync();
        var (otherAccountKey, otherAccountKeyId) = await Host.IssueKeyAsync(["trader"], [other]);
        using var request = Host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", otherAccountKey);
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"Key {otherAccountKeyId} does not cover account {account}.", problem.GetProperty("detail").GetString());
        Assert.True(problem.TryGetProperty("correlationId", out _));
    }

    private async Task PlaceMarketAsync(string account, string clientOrderId) =>
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId, symbol = "SSEA", side = "buy", type = "market", quantity = 1, timeInForce = "day",
        }, HttpStatusCode.Created);

    private async Task<SseReader> OpenAsync(string account, long? lastEventId)
    {
        var request = Host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", Host.AdminKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await Host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(request, response, await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<List<SseEvent>> ReadUntilAsync(SseReader reader, Func<List<SseEvent>, bool> done)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var events = new List<SseEvent>();
        while (!done(events))
        {
            var next = await reader.NextAsync(timeout.Token);
            if (next.Id is not null)
            {
                events.Add(next);
            }
        }

        return events;
    }
}
