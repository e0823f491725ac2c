using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Webhooks;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Webhooks through HTTP alone, to a real HTTP receiver on loopback (allowed by Trading:Webhooks:AllowPrivateNetworks):
/// created with a secret, delivering a signed fill, listed, deleted; internal addresses refused by default.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class WebhookApiTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task AWebhook_DeliversTheAccountsFill_Signed_ToARealReceiver_UntilDeleted()
    {
        var received = new ConcurrentQueue<(string Signature, byte[] Body)>();
        await using var receiver = await StartReceiverAsync(received);

        // The receiver is on loopback, which the silo's webhooks reach only when allowed (by default they do not).
        await using var host = await GatewayHost.StartAsync(services: s => s.Configure<WebhookOptions>(o => o.AllowPrivateNetworks = true));
        var account = await host.CreateAccountAsync(cash: 50_000m);
        await host.QuoteAsync("WHK", 20m, 20.02m);

        var created = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", host.AdminKey,
            new { webhookId = "ops", url = receiver.Url + "/hook", kinds = new[] { "fill" }, description = "fills to ops" }, HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Equal(("ops", "Active", "fills to ops"), (created.GetProperty("webhook").GetProperty("webhookId").GetString(),
            created.GetProperty("webhook").GetProperty("state").GetString(), created.GetProperty("webhook").GetProperty("description").GetString()));

        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new
        {
            clientOrderId = "whk-1", symbol = "WHK", side = "buy", type = "market", quantity = 5, timeInForce = "day",
        }, HttpStatusCode.Created);
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (received.IsEmpty && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var (signature, body) = Assert.Single(received);
        var t = signature.Split(',')[0]["t=".Length..];
        byte[] message = [.. Encoding.UTF8.GetBytes(t + "."), .. body];
        Assert.Equal($"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message))}", signature);
        var fill = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray()).GetProperty("fill");
        Assert.Equal(("whk-1", 5m), (fill.GetProperty("clientOrderId").GetString(), fill.GetProperty("quantity").GetDecimal()));

        // The list and the webhook show the delivery (once the webhook has taken the 2xx, just after the receiver saw it),
        // never the secret.
        JsonElement listed;
        do
        {
            listed = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks", host.AdminKey, null, HttpStatusCode.OK);
            if (Assert.Single(listed.EnumerateArray()).GetProperty("eventsDelivered").GetInt64() == 1)
            {
                break;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        while (TimeProvider.System.GetUtcNow() < deadline);

        Assert.Equal(1, Assert.Single(listed.EnumerateArray()).GetProperty("eventsDelivered").GetInt64());
        Assert.DoesNotContain(secret, listed.GetRawText(), StringComparison.Ordinal);
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/ops/resume", host.AdminKey, null, HttpStatusCode.OK);

        // A rotation answers the new secret once; without a body the old one keeps signing for a day.
        var rotated = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/ops/rotate-secret", host.AdminKey, null, HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(secret, newSecret);
        var webhook = rotated.GetProperty("webhook");
        Assert.Equal(TimeSpan.FromDays(1), webhook.GetProperty("previousSecretValidUntil").GetDateTimeOffset() - webhook.GetProperty("secretRotatedAt").GetDateTimeOffset());
        var refused = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/ops/rotate-secret", host.AdminKey,
            new { previousSecretValidForSeconds = -1 }, HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("previousSecretValidForSeconds", out _), refused.GetRawText());
        // Rotating again with 0 adds no overlap of its own; the first secret keeps the day it was promised.
        var again = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/ops/rotate-secret", host.AdminKey,
            new { previousSecretValidForSeconds = 0 }, HttpStatusCode.OK);
        Assert.Equal(webhook.GetProperty("previousSecretValidUntil").GetDateTimeOffset(), again.GetProperty("webhook").GetProperty("previousSecretValidUntil").GetDateTimeOffset());
        Assert.DoesNotContain(newSecret, (await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks/ops", host.AdminKey, null, HttpStatusCode.OK)).GetRawText(), StringComparison.Ordinal);

        using var deleted = await host.SendAsync(HttpMethod.Delete, $"/api/accounts/{account}/webhooks/ops", host.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var gone = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks/ops", host.AdminKey, null, HttpStatusCode.NotFound);
        Assert.Equal("WEBHOOK_NOT_FOUND", gone.GetProperty("reason").GetString());
        Assert.Equal(0, (await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks", host.AdminKey, null, HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task ABadWebhook_IsRefusedWithItsField()
    {
        var account = await Host.CreateAccountAsync();
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { url = "ftp://example.invalid/" }, "url"),
            (new { url = "https://user:secret@example.invalid/" }, "url"),
            (new { }, "url"),
            (new { url = "https://example.invalid/", webhookId = "a/b" }, "webhookId"),
            (new { url = "https://example.invalid/", kinds = new[] { "1" } }, "kinds"),
            (new { url = "https://example.invalid/", kinds = new[] { "fills" } }, "kinds"),
        })
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", Host.AdminKey, body, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        }

        var missing = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts/no-such-account/webhooks", Host.AdminKey, new { url = "https://example.invalid/" }, HttpStatusCode.NotFound);
        Assert.Equal("ACCOUNT_NOT_OPEN", missing.GetProperty("reason").GetString());
    }

    /// <summary>
    /// A URL is shown to every reader of the webhook and its origin logged: one with a line break, a control character, a
    /// bidirectional override (a host that reads as another) or white space was stored and answered as given. Refused with
    /// the field named, and nothing stored.
    /// </summary>
    [Fact]
    public async Task AWebhookUrlWithControlOrBidirectionalCharactersOrWhiteSpace_IsRefused_AndNotStored()
    {
        var account = await Host.CreateAccountAsync();
        foreach (var url in new[]
                 {
                     "https://example.com/a\nb", "https://example.com/\u001b[31m", "https://exa\u202emple.com/hook", "https://example.com/\u2066x",
                     " https://example.com/hook", "https://example.com/hook ", "https://example.com/a b", "https://example.com/\u00a0",
                 })
        {
            using var response = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", Host.AdminKey, new { url });
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {text}");
            Assert.Equal(
                ["Must not hold white space, control or bidirectional formatting characters: percent-encode them (%20)."],
                JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("url").EnumerateArray().Select(m => m.GetString()));
        }

        Assert.Equal(0, (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks", Host.AdminKey, null, HttpStatusCode.OK)).GetArrayLength());
    }

    // The instance metadata endpoint (managed identity tokens), loopback and private networks are refused as the URL is
    // given, in words that name the setting allowing them; host names are checked at each delivery (grain tests).
    [Fact]
    public async Task AWebhookToAnInternalAddress_IsA400NamingTheSetting()
    {
        var account = await Host.CreateAccountAsync();
        foreach (var url in new[] { "http://169.254.169.254/metadata/identity/oauth2/token", "http://127.0.0.1:9/hook", "http://[::1]:8080/", "http://10.0.0.4/" })
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", Host.AdminKey, new { url }, HttpStatusCode.BadRequest);
            var message = Assert.Single(problem.GetProperty("errors").GetProperty("url").EnumerateArray()).GetString();
            Assert.Contains("Trading:Webhooks:AllowPrivateNetworks", message, StringComparison.Ordinal);
        }

        Assert.Equal(0, (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/webhooks", Host.AdminKey, null, HttpStatusCode.OK)).GetArrayLength());
    }

    private static async Task<Receiver> StartReceiverAsync(ConcurrentQueue<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Enqueue((request.Headers["OrleansTrader-Signature"].ToString(), body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(app, url);
    }

    private sealed record Receiver(WebApplication App, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
