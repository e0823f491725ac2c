using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>An account's history as stored: its core record's tail and its written "history-N" pages.</summary>
internal static class AccountHistoryPages
{
    /// <summary>
    /// The entries of the core record's tail and of the largest written page (every retained page must be there), read
    /// from the cluster's storage.
    /// </summary>
    public static async Task<(int Tail, long LargestPage, int LargestCount)> SizesAsync(TradingCluster cluster, string accountId)
    {
        var storage = cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);
        var grainId = GrainId.Create(typeof(AccountGrain).FullName!, accountId);
        var core = new GrainState<AccountState>(new AccountState());
        await storage.ReadStateAsync("account", grainId, core, TestContext.Current.CancellationToken);
        var largest = (Page: -1L, Count: 0);
        for (var n = core.State.FirstHistoryPage; n < core.State.CurrentHistoryPage; n++)
        {
            var page = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
            await storage.ReadStateAsync("history-" + n.ToString(CultureInfo.InvariantCulture), grainId, page, TestContext.Current.CancellationToken);
            Assert.True(page.RecordExists, $"history-{n} of {accountId} is missing.");
            largest = page.State.Count > largest.Count ? (n, page.State.Count) : largest;
        }

        return (core.State.HistoryTail.Count, largest.Page, largest.Count);
    }
}
