using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The API key registry when its write fails (memory keeps only what storage has, so a retry stores the change), and its
/// paging while keys are forgotten.
/// </summary>
public sealed class ApiKeyRegistryTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    // A revocation whose write failed was kept in memory: the retry found the key revoked and wrote nothing, so the key
    // was active again at the registry's next activation although the admin had been told it was revoked.
    [Fact]
    public async Task Revoke_IsStored_WhenRetriedAfterAWriteThatFailed()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        Assert.True(await registry.AddAsync(Key("key-1")));

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => registry.RevokeAsync("key-1"));
        Assert.True((await registry.GetAsync("key-1"))!.IsActive);
        Assert.True(await registry.RevokeAsync("key-1"));

        var stored = await ReadStoredAsync(storage);
        Assert.False(stored.Keys["key-1"].IsActive);
    }

    // An add whose write failed answered an error, yet the key stayed in memory: it authenticated until the registry
    // deactivated, and the retry was refused as a duplicate, so the key was never stored.
    [Fact]
    public async Task Add_KeepsNoKey_WhenItsWriteFailed()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => registry.AddAsync(Key("key-2")));

        Assert.Null(await registry.GetAsync("key-2"));
        Assert.True(await registry.AddAsync(Key("key-2")));
        Assert.Equal(["key-2"], (await ReadStoredAsync(storage)).Keys.Keys);
    }

    // A repeated issue revokes the earlier key and stores the new one in one write: had the revocation stayed in memory
    // after the write failed, the earlier key would have been refused until deactivation and then worked again, and the
    // retry would have found no active key to replace and stored a second one beside it.
    [Fact]
    public async Task IssueAgain_KeepsTheEarlierKeyActiveAndStoresNothing_WhenItsWriteFailed_AndReplacesItWhenRetried()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        Assert.True((await registry.IssueAsync(Key("key-1") with { ClientKeyId = "bot" })).Issued);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => registry.IssueAsync(Key("key-2") with { Name = "key-1", ClientKeyId = "bot" }));
        Assert.True((await registry.GetAsync("key-1"))!.IsActive);
        Assert.Null(await registry.GetAsync("key-2"));

        var retried = await registry.IssueAsync(Key("key-3") with { Name = "key-1", ClientKeyId = "bot" });
        Assert.Equal(new ApiKeyIssueResult { ReplacedKeyId = "key-1" }, retried);
        var stored = await ReadStoredAsync(storage);
        Assert.Equal(["key-1", "key-3"], stored.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.False(stored.Keys["key-1"].IsActive);
        Assert.True(stored.Keys["key-3"].IsActive);
    }

    // Forgetting a revoked configured bootstrap admin key (its id is fixed by the key) would let the next start store it
    // again, active: revoking a leaked Gateway:BootstrapAdminKey left in the configuration must hold.
    [Fact]
    public async Task RevokedBootstrapKey_IsNeverForgotten_WhileOlderRevokedKeysAre()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage, revokedKeysKept: 1);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        Assert.True(await registry.AddAsync(Key("bootstrap-1") with { CreatedBy = ApiKeyRegistryKeys.BootstrapCreator }));
        Assert.True(await registry.RevokeAsync("bootstrap-1"));
        foreach (var id in new[] { "key-1", "key-2", "key-3" })
        {
            Assert.True(await registry.AddAsync(Key(id)));
            Assert.True(await registry.RevokeAsync(id));
        }

        Assert.Equal(["bootstrap-1", "key-3"], (await ReadStoredAsync(storage)).Keys.Keys.Order(StringComparer.Ordinal));
        Assert.False(await registry.AddAsync(Key("bootstrap-1") with { CreatedBy = ApiKeyRegistryKeys.BootstrapCreator }));
    }

    // A revocation whose write failed must not leave the keys it forgot gone from memory while storage still has them.
    [Fact]
    public async Task Revoke_KeepsTheKeysItWouldForget_WhenItsWriteFailed()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage, revokedKeysKept: 1);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        Assert.True(await registry.AddAsync(Key("key-1")));
        Assert.True(await registry.RevokeAsync("key-1"));
        Assert.True(await registry.AddAsync(Key("key-2")));

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => registry.RevokeAsync("key-2"));

        Assert.False((await registry.GetAsync("key-1"))!.IsActive);
        Assert.True((await registry.GetAsync("key-2"))!.IsActive);
    }

    // A cursor naming a key forgotten since page 1 answered an empty page: a client paging while keys were revoked took
    // it for the end of the list and missed every key after the cursor. The cursor is a position in key id order.
    [Fact]
    public async Task List_ContinuesAfterTheCursor_WhenTheKeyItNamesWasForgotten()
    {
        var storage = new WriteFailingStorage("api-keys");
        await using var cluster = await StartAsync(storage, revokedKeysKept: 1);
        var registry = cluster.Grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        var ids = new[] { "key-1", "key-2", "key-3", "key-4", "key-5" };
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(await registry.AddAsync(Key(ids[i]) with { CreatedAt = Created.AddMinutes(i) }));
        }

        var first = await registry.ListAsync(null, 2);
        Assert.Equal(["key-1", "key-2"], first.Select(k => k.KeyId));
        Assert.True(await registry.RevokeAsync("key-2"));
        Assert.True(await registry.RevokeAsync("key-4"));
        Assert.Null(await registry.GetAsync("key-2"));

        var second = await registry.ListAsync("key-2", 10);
        Assert.Equal(["key-3", "key-4", "key-5"], second.Select(k => k.KeyId));
    }

    private static Task<TradingCluster> StartAsync(WriteFailingStorage storage, int? revokedKeysKept = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                if (revokedKeysKept is { } kept)
                {
                    silo.Services.Configure<ApiKeyRegistryOptions>(o => o.RevokedKeysKept = kept);
                }
            },
        });

    private static async Task<ApiKeyRegistryState> ReadStoredAsync(WriteFailingStorage storage)
    {
        var stored = new GrainState<ApiKeyRegistryState>(new ApiKeyRegistryState());
        await storage.ReadStateAsync("api-keys", GrainId.Create(typeof(ApiKeyRegistryGrain).FullName!, ApiKeyRegistryKeys.Default), stored,
            TestContext.Current.CancellationToken);
        return stored.State;
    }

    private static ApiKeyRecord Key(string keyId) => new()
    {
        KeyId = keyId,
        Name = keyId,
        Roles = [ApiKeyRoles.Trader],
        Accounts = ["acc-1"],
        Salt = "c2FsdA==",
        Hash = "aGFzaA==",
        CreatedAt = Created,
        CreatedBy = "admin-1",
    };
}
