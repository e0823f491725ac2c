using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.ApiKeys;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The key registry's bounds as an admin meets them, and answers that carry a secret.</summary>
public sealed class KeyLimitTests
{
    // Revoked keys counted against the limit and were never removed: automation that issues and revokes keys got 409 on
    // every POST /api/keys once it had issued the limit, for ever, with a "try again" no retry could honour.
    [Fact]
    public async Task IssuingAndRevokingKeys_KeepsWorking_PastTheLimit_AndKeepsTheLatestRevokedOnes()
    {
        await using var host = await StartAsync(maxActiveKeys: 3, revokedKeysKept: 2);
        var revoked = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (_, keyId) = await host.IssueKeyAsync(["trader"], ["*"]);
            await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{keyId}", host.AdminKey, null, HttpStatusCode.NoContent);
            revoked.Add(keyId);
        }

        // The bootstrap admin key and the two revoked last (in key id order); the older revoked keys are forgotten.
        var adminKeyId = ApiKeyHasher.DeriveId(host.AdminKey!);
        var listed = (await host.SendJsonAsync(HttpMethod.Get, "/api/keys", host.AdminKey, null, HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal([.. revoked[^2..].Append(adminKeyId).Order(StringComparer.Ordinal)], listed.Select(k => k.GetProperty("keyId").GetString()));
        Assert.All(listed.Where(k => k.GetProperty("keyId").GetString() != adminKeyId), k => Assert.Equal(JsonValueKind.String, k.GetProperty("revokedAt").ValueKind));
        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{revoked[0]}", host.AdminKey, null, HttpStatusCode.NotFound);
    }

    // A cursor naming a key forgotten since the previous page answered an empty page (documented so): a client paging
    // while keys were revoked concluded the list had ended and missed every key after the cursor.
    [Fact]
    public async Task PagingKeys_ContinuesAfterTheCursor_WhenItsKeyWasForgottenSince()
    {
        await using var host = await StartAsync(maxActiveKeys: 10, revokedKeysKept: 1);
        for (var i = 0; i < 5; i++)
        {
            await host.IssueKeyAsync(["trader"], ["*"]);
        }

        static List<string> Ids(JsonElement page) => [.. page.EnumerateArray().Select(k => k.GetProperty("keyId").GetString()!)];
        // Page 1 ends on an issued key: the admin key the test uses must not be revoked.
        var adminKeyId = ApiKeyHasher.DeriveId(host.AdminKey!);
        var all = Ids(await host.SendJsonAsync(HttpMethod.Get, "/api/keys", host.AdminKey, null, HttpStatusCode.OK));
        var pageSize = all[1] != adminKeyId ? 2 : 3;
        var first = Ids(await host.SendJsonAsync(HttpMethod.Get, $"/api/keys?limit={pageSize}", host.AdminKey, null, HttpStatusCode.OK));
        var cursor = first[^1];
        var later = Ids(await host.SendJsonAsync(HttpMethod.Get, $"/api/keys?after={cursor}", host.AdminKey, null, HttpStatusCode.OK));
        Assert.NotEmpty(later);

        // The cursor's key revoked, then another: only one revoked key is kept, so the cursor's key is forgotten.
        var other = later.First(id => id != adminKeyId);
        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{cursor}", host.AdminKey, null, HttpStatusCode.NoContent);
        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{other}", host.AdminKey, null, HttpStatusCode.NoContent);
        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{cursor}", host.AdminKey, null, HttpStatusCode.NotFound);

        var second = Ids(await host.SendJsonAsync(HttpMethod.Get, $"/api/keys?after={cursor}", host.AdminKey, null, HttpStatusCode.OK));
        Assert.Equal(later, second);
    }

    // A registry truly full of active keys answered "try again", which never helps, and the 409 was not documented.
    [Fact]
    public async Task IssuingAKey_IsRefusedSayingToRevokeKeys_WhenActiveKeysFillTheRegistry()
    {
        await using var host = await StartAsync(maxActiveKeys: 3, revokedKeysKept: 2);
        var (_, first) = await host.IssueKeyAsync(["trader"], ["*"]);
        await host.IssueKeyAsync(["trader"], ["*"]);

        var full = await host.SendJsonAsync(HttpMethod.Post, "/api/keys", host.AdminKey, new { name = "one too many", roles = new[] { "trader" }, accounts = new[] { "*" } },
            HttpStatusCode.Conflict);
        Assert.Equal("KEY_LIMIT", full.GetProperty("reason").GetString());
        Assert.Contains("revoke keys", full.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("try again", full.ToString(), StringComparison.OrdinalIgnoreCase);

        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{first}", host.AdminKey, null, HttpStatusCode.NoContent);
        await host.IssueKeyAsync(["trader"], ["*"]);
    }

    // The new API key and a webhook's signing secret went out without Cache-Control: a proxy or the client's cache could
    // keep a secret the docs say is shown once.
    [Fact]
    public async Task AnswersCarryingASecret_AreNotToBeStored()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();

        using (var key = await host.SendAsync(HttpMethod.Post, "/api/keys", host.AdminKey, new { name = "k", roles = new[] { "trader" }, accounts = new[] { account } }))
        {
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
            Assert.True(key.Headers.CacheControl?.NoStore == true, $"POST /api/keys: Cache-Control {key.Headers.CacheControl}");
        }

        using (var webhook = await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks", host.AdminKey,
            new { webhookId = "secret-hook", url = "https://receiver.example/hook" }))
        {
            Assert.Equal(HttpStatusCode.Created, webhook.StatusCode);
            Assert.True(webhook.Headers.CacheControl?.NoStore == true, $"POST webhooks: Cache-Control {webhook.Headers.CacheControl}");
        }

        using var rotated = await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/webhooks/secret-hook/rotate-secret", host.AdminKey, new { });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.True(rotated.Headers.CacheControl?.NoStore == true, $"POST rotate-secret: Cache-Control {rotated.Headers.CacheControl}");
    }

    // The bootstrap admin key is one of the active keys.
    private static Task<GatewayHost> StartAsync(int maxActiveKeys, int revokedKeysKept) =>
        GatewayHost.StartAsync(services: s => s.Configure<ApiKeyRegistryOptions>(o =>
        {
            o.MaxActiveKeys = maxActiveKeys;
            o.RevokedKeysKept = revokedKeysKept;
        }));
}
