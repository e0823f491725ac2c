using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

public sealed class KeyTests
{
    [Fact]
    public async Task Keys_AreStoredOnlyAsSaltedHashes_AndRevocationTakesEffect()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gateway-keys-{Guid.NewGuid():N}.db");
        try
        {
            string key;
            string keyId;
            string account;
            await using (var host = await GatewayHost.StartAsync(sqlitePath: path))
            {
                account = await host.CreateAccountAsync();
                (key, keyId) = await host.IssueKeyAsync(["trader"], [account]);
                using (var ok = await host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key))
                {
                    Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                }

                using (var revoke = await host.SendAsync(HttpMethod.Delete, $"/api/keys/{keyId}", host.AdminKey))
                {
                    Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
                }

                using var refused = await host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.DoesNotContain(host.AdminKey!, Stored(path), StringComparison.Ordinal);
            }

            SqliteConnection.ClearAllPools();
            var stored = Stored(path);
            Assert.Contains(keyId, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(key["ot_".Length..], stored, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task Keys_AreListedInKeyIdOrder_InPages_WithRevokedOnes_AndNeverWithTheirSecrets()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        var issued = new List<(string Key, string KeyId)>();
        foreach (var roles in new[] { new[] { "trader" }, ["risk"], ["trader", "risk"] })
        {
            issued.Add(await host.IssueKeyAsync(roles, [account]));
        }

        await host.SendJsonAsync(HttpMethod.Delete, $"/api/keys/{issued[1].KeyId}", host.AdminKey, null, HttpStatusCode.NoContent);

        var first = await host.SendJsonAsync(HttpMethod.Get, "/api/keys?limit=2", host.AdminKey, null, HttpStatusCode.OK);
        var lastOfFirst = first[1].GetProperty("keyId").GetString();
        var second = await host.SendJsonAsync(HttpMethod.Get, $"/api/keys?limit=2&after={lastOfFirst}", host.AdminKey, null, HttpStatusCode.OK);
        var listed = first.EnumerateArray().Concat(second.EnumerateArray()).ToList();

        // The host's bootstrap admin key and the three issued, in key id order.
        var adminKeyId = ApiKeyHasher.DeriveId(host.AdminKey!);
        Assert.Equal([.. issued.Select(k => k.KeyId).Append(adminKeyId).Order(StringComparer.Ordinal)], listed.Select(k => k.GetProperty("keyId").GetString()));
        var byId = listed.ToDictionary(k => k.GetProperty("keyId").GetString()!);
        Assert.Equal(["admin"], byId[adminKeyId].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([false, true, false], issued.Select(k => byId[k.KeyId].GetProperty("revokedAt").ValueKind == System.Text.Json.JsonValueKind.String));
        Assert.Equal([account], byId[issued[0].KeyId].GetProperty("accounts").EnumerateArray().Select(a => a.GetString()));
        var text = first.ToString() + second;
        Assert.All(issued, k => Assert.DoesNotContain(k.Key, text, StringComparison.Ordinal));
        Assert.DoesNotContain(host.AdminKey!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("salt", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        // A cursor is a position in key id order, whether or not it names a key: past every id is the end of the list.
        var unknown = await host.SendJsonAsync(HttpMethod.Get, "/api/keys?after=no-such-key", host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(unknown.EnumerateArray());
        // A cursor that cannot be a key id is a mistake to name, not a page that starts somewhere else.
        var malformed = await host.SendJsonAsync(HttpMethod.Get, "/api/keys?after=key%20one", host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.True(malformed.GetProperty("errors").TryGetProperty("after", out _), malformed.ToString());
        await host.SendJsonAsync(HttpMethod.Get, "/api/keys?limit=0", host.AdminKey, null, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Accounts_AreListedInPages_AllForAnAdmin_AndTheirOwnForAnyOtherKey()
    {
        await using var host = await GatewayHost.StartAsync();
        var opened = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            opened.Add(await host.CreateAccountAsync(accountId: $"list-{i}"));
        }

        var (trader, _) = await host.IssueKeyAsync(["trader"], ["list-2", "list-0", "never-opened"]);
        var (everyAccount, _) = await host.IssueKeyAsync(["risk"], ["*"]);

        var first = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts?limit=2", host.AdminKey, null, HttpStatusCode.OK);
        var second = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts?limit=2&after=list-1", host.AdminKey, null, HttpStatusCode.OK);
        var own = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts", trader, null, HttpStatusCode.OK);
        var ownAfter = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts?after=list-0", trader, null, HttpStatusCode.OK);
        var all = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts", everyAccount, null, HttpStatusCode.OK);

        static List<string> Ids(System.Text.Json.JsonElement page) => [.. page.EnumerateArray().Select(a => a.GetProperty("accountId").GetString()!)];
        Assert.Equal(["list-0", "list-1"], Ids(first));
        Assert.Equal(["list-2"], Ids(second));
        Assert.Equal(["list-0", "list-2"], Ids(own));
        Assert.Equal(["list-2"], Ids(ownAfter));
        // A cursor that cannot be an account id is a 400 naming it (it answered 200 with the accounts sorted after it).
        foreach (var key in new[] { host.AdminKey, trader })
        {
            var malformed = await host.SendJsonAsync(HttpMethod.Get, "/api/accounts?after=list%201", key, null, HttpStatusCode.BadRequest);
            Assert.True(malformed.GetProperty("errors").TryGetProperty("after", out _), malformed.ToString());
        }

        Assert.Equal(opened, Ids(all));
        Assert.Equal(("paper", "USD"), (first[0].GetProperty("broker").GetString(), first[0].GetProperty("currency").GetString()));
    }

    [Fact]
    public async Task BootstrapKey_IsGeneratedAndPrintedOnce_AndNotAgainOnRestart()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gateway-boot-{Guid.NewGuid():N}.db");
        var console = new CapturingKeyConsole();
        try
        {
            await using (var host = await GatewayHost.StartAsync(sqlitePath: path, services: s => s.AddSingleton<ApiKeyConsole>(console), configureAdminKey: false))
            {
                var key = Assert.Single(console.Keys);
                Assert.StartsWith("ot_", key, StringComparison.Ordinal);
                Assert.Equal(46, key.Length);
                using var response = await host.SendAsync(HttpMethod.Post, "/api/keys", key, new { name = "ops", roles = new[] { "risk" }, accounts = new[] { "*" } });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            await using (await GatewayHost.StartAsync(sqlitePath: path, services: s => s.AddSingleton<ApiKeyConsole>(console), configureAdminKey: false))
            {
                Assert.Single(console.Keys);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void Hasher_VerifiesOnlyTheExactKey()
    {
        var key = ApiKeyHasher.Generate();
        var record = ApiKeyHasher.CreateRecord(key, "k", ["trader"], ["a"], "test", TimeProvider.System.GetUtcNow());

        Assert.Equal(record.KeyId, ApiKeyHasher.DeriveId(key));
        Assert.True(ApiKeyHasher.Verify(key, record));
        Assert.False(ApiKeyHasher.Verify(key + "x", record));
        Assert.False(ApiKeyHasher.Verify(key[..^1] + (key[^1] == 'A' ? 'B' : 'A'), record));
        Assert.DoesNotContain(key, record.Hash + record.Salt + record.KeyId, StringComparison.Ordinal);
    }

    private static string Stored(string path)
    {
        var text = new StringBuilder();
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                text.Append(reader.ReadToEnd());
            }
        }

        return text.ToString();
    }
}
