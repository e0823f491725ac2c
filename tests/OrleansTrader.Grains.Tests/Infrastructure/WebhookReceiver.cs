using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// The webhooks' HTTP handler in grain tests: records every request (headers and body) and answers as the test says, by
/// default 200. Installed as the primary handler of the silo's "webhooks" client.
/// </summary>
public sealed class WebhookReceiver : HttpMessageHandler
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    /// <summary>How the next request is answered; runs for every request.</summary>
    public Func<HttpRequestMessage, Task<HttpResponseMessage>> Respond { get; set; } = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>The sequences of the events received, in order, repeats included.</summary>
    public IReadOnlyList<long> Sequences => [.. Received.SelectMany(r => r.Events).Select(e => e.GetProperty("sequence").GetInt64())];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var response = await Respond(request);
        _received.Enqueue(new ReceivedWebhook(request.RequestUri!, headers, body, (int)response.StatusCode));
        return response;
    }
}

/// <summary>One request a <see cref="WebhookReceiver"/> saw, and the status it answered.</summary>
public sealed record ReceivedWebhook(Uri Url, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public IReadOnlyList<JsonElement> Events => [.. Json.GetProperty("events").EnumerateArray()];
}
