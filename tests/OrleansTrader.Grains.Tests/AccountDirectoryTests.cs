using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>The account list: an account is in it from its opening, and one the list lost puts itself back when it activates.</summary>
public sealed class AccountDirectoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnOpenedAccount_IsListed_AndAfterTheListIsLost_ListsItselfAgainWhenItActivates()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqlitePath = _dir.File("directory.db") });
        await TestAccounts.OpenAsync(cluster, "dir-b", 2_000m);
        await TestAccounts.OpenAsync(cluster, "dir-a", 1_000m);
        var directory = cluster.Grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Default);

        var listed = await directory.ListAsync(null, 10);
        Assert.Equal(["dir-a", "dir-b"], listed.Select(a => a.AccountId));
        Assert.Equal(("USD", BrokerNames.Paper), (listed[0].Currency, listed[0].Broker));
        Assert.Equal(["dir-b"], (await directory.ListAsync("dir-a", 10)).Select(a => a.AccountId));
        Assert.Equal(["dir-b"], (await directory.FindAsync(["dir-b", "never-opened"])).Select(a => a.AccountId));

        // The list's record is lost (as an older version never wrote one); after a restart each account puts itself back
        // as it activates, and only then.
        var storage = cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);
        var id = directory.GetGrainId();
        var record = new GrainState<Accounts.AccountDirectoryState>(new());
        await storage.ReadStateAsync("account-directory", id, record, TestContext.Current.CancellationToken);
        Assert.Equal(2, record.State.Accounts.Count);
        await storage.ClearStateAsync("account-directory", id, record, TestContext.Current.CancellationToken);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        directory = cluster.Grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Default);
        Assert.Empty(await directory.ListAsync(null, 10));

        Assert.NotNull(await cluster.Account("dir-b").GetSnapshotAsync());
        Assert.Equal(["dir-b"], (await directory.ListAsync(null, 10)).Select(a => a.AccountId));
    }
}
