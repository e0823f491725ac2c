using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;
using static OrleansTrader.Grains.Tests.Infrastructure.NumberedTrades;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Trade pages past the kept ones: an owner whose trade numbers only grow (an account) leaves nothing of them in storage;
/// one whose numbers start again after a clear (a strategy) keeps their tombstones, as it writes those names again.
/// </summary>
public sealed class TradesStoreTests
{
    private const int PagesKept = 2;
    private const int Trades = 10 * TradesStore.PageSize;

    [Fact]
    public async Task PagesPastTheKeptOnes_LeaveNoRows_WhenNumbersNeverRestart()
    {
        using var storage = new MemoryGrainStorage();
        var store = new TradesStore(storage, GrainId.Create("Tests.Trades", "acct"), PagesKept, numbersRestart: false);

        await StoreOneByOneAsync(store, Trades);

        Assert.Equal(PagesKept, storage.Count);
        Assert.Equal(0, storage.Tombstones);
        var newest = await store.ReadNewestAsync(Trades, Trades, int.MaxValue, _ => true);
        Assert.Equal(Enumerable.Range(Trades - (PagesKept * TradesStore.PageSize) + 1, PagesKept * TradesStore.PageSize).Reverse().Select(n => (long)n), newest.Select(t => t.Number));
    }

    [Fact]
    public async Task PagesPastTheKeptOnes_KeepTheirTombstones_WhenNumbersRestartAfterAClear_SoAnOldETagStillConflicts()
    {
        using var storage = new MemoryGrainStorage();
        var grain = GrainId.Create("Tests.Trades", "strategy");
        var store = new TradesStore(storage, grain, PagesKept, numbersRestart: true);
        await StoreOneByOneAsync(store, Trades);
        Assert.Equal(PagesKept, storage.Count);
        Assert.Equal((Trades / TradesStore.PageSize) - PagesKept, storage.Tombstones);

        // A writer that last saw the first "trades-0" (its version after 100 writes), after the owner cleared and wrote it again as often.
        var stale = new GrainState<TradesPage>(new TradesPage()) { ETag = "100", RecordExists = true };
        await store.ClearAsync(Trades);
        await StoreOneByOneAsync(store, TradesStore.PageSize);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("trades-0", grain, stale, TestContext.Current.CancellationToken));
    }

    private static async Task StoreOneByOneAsync(TradesStore store, int count)
    {
        for (var number = 1; number <= count; number++)
        {
            await store.StoreAsync([Trade(number)]);
        }
    }
}
