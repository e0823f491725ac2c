using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// LESSONS 6, a retry after a write that failed: the account's and the strategies' lists changed in memory before their
/// write and kept the change when it failed, so the caller's retry found the change made and wrote nothing. The list then
/// lived on in memory only: the next activation of the list lost a strategy created by that retry (or brought back a
/// deleted one, holding a place of the account's 100), and an account left out of GET /api/accounts stayed out.
/// </summary>
public sealed class DirectoryWriteFailureTests
{
    [Fact]
    public async Task AStrategyIdWhoseListingWriteFailed_IsStoredByTheRetry()
    {
        var storage = new WriteFailingStorage("strategy-directory");
        await using var cluster = await StartAsync(storage);
        var directory = cluster.Grains.GetGrain<IStrategyDirectoryGrain>("dwf-acct");
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => directory.AddAsync("dwf-1"));
        Assert.True(await directory.AddAsync("dwf-1"));

        Assert.Equal(["dwf-1"], (await StoredAsync<StrategyDirectoryState>(cluster, "strategy-directory", directory)).StrategyIds);
        Assert.Equal(["dwf-1"], await directory.ListAsync());
    }

    [Fact]
    public async Task AStrategyIdWhoseRemovalWriteFailed_IsRemovedFromStorageByTheRetry()
    {
        var storage = new WriteFailingStorage("strategy-directory");
        await using var cluster = await StartAsync(storage);
        var directory = cluster.Grains.GetGrain<IStrategyDirectoryGrain>("dwf-acct");
        Assert.True(await directory.AddAsync("dwf-2"));
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => directory.RemoveAsync("dwf-2"));
        Assert.Equal(["dwf-2"], await directory.ListAsync());
        await directory.RemoveAsync("dwf-2");

        Assert.Empty((await StoredAsync<StrategyDirectoryState>(cluster, "strategy-directory", directory)).StrategyIds);
    }

    [Fact]
    public async Task AnAccountWhoseListingWriteFailed_IsStoredByTheRetry()
    {
        var storage = new WriteFailingStorage("account-directory");
        await using var cluster = await StartAsync(storage);
        var directory = cluster.Grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Default);
        var listing = new AccountListing("dwf-acct", "directory write failure", "USD", BrokerNames.Paper, DateTimeOffset.UnixEpoch);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<IOException>(() => directory.AddAsync(listing));
        Assert.Empty(await directory.ListAsync(null, 10));
        Assert.True(await directory.AddAsync(listing));

        Assert.Equal(["dwf-acct"], (await StoredAsync<AccountDirectoryState>(cluster, "account-directory", directory)).Accounts.Keys);
    }

    private static async Task<T> StoredAsync<T>(TradingCluster cluster, string record, IGrain grain)
        where T : new()
    {
        var stored = new GrainState<T>(new T());
        await cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default)
            .ReadStateAsync(record, grain.GetGrainId(), stored, TestContext.Current.CancellationToken);
        return stored.State;
    }

    private static Task<TradingCluster> StartAsync(WriteFailingStorage storage) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
    });
}
