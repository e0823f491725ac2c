using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;
using static OrleansTrader.Grains.Tests.Infrastructure.NumberedTrades;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Trade pages are read in runs (a storage round trip per run, not per page): a trades query newest first and a clear
/// give what reading page by page gave, with the page being filled taken from memory and a missing page empty.
/// </summary>
public sealed class TradesStoreReadTests
{
    private const int Pages = 40;
    private const int Trades = Pages * TradesStore.PageSize;
    private static readonly GrainId Owner = GrainId.Create("Tests.Trades", "acct");

    [Fact]
    public async Task ReadNewest_FilteringThroughEveryKeptPage_ReadsThePagesInAFewRoundTrips()
    {
        var (memory, counting) = await StoredAsync();
        var store = new TradesStore(counting, Owner, Pages, numbersRestart: false);

        // Every 80th trade matches: the 50 asked for are spread over all 40 pages.
        var found = await store.ReadNewestAsync(Trades, Trades, 50, t => t.Number % 80 == 0);

        Assert.Equal(Enumerable.Range(1, 50).Reverse().Select(n => n * 80L), found.Select(t => t.Number));
        Assert.True(counting.Reads <= 5, $"Reading the newest 50 trades read {counting.RecordsRead} pages in {counting.Reads} reads");
        Assert.Equal(Pages, memory.Count);
    }

    [Fact]
    public async Task ReadNewest_MetByTheNewestPages_ReadsOneRunOnly()
    {
        var (_, counting) = await StoredAsync();
        var store = new TradesStore(counting, Owner, Pages, numbersRestart: false);

        var found = await store.ReadNewestAsync(Trades, Trades, 150, _ => true);

        Assert.Equal(Enumerable.Range(Trades - 149, 150).Reverse().Select(n => (long)n), found.Select(t => t.Number));
        Assert.True(counting.Reads == 1, $"Reading the newest 150 trades read {counting.RecordsRead} pages in {counting.Reads} reads");
    }

    [Fact]
    public async Task ReadNewest_TakesThePageBeingFilledFromMemory_AndAMissingPageAsEmpty_AsReadingPageByPageDid()
    {
        var memory = new MemoryGrainStorage();
        var counting = new ReadCountingStorage("trades-");
        var store = new TradesStore(counting.Over(memory), Owner, Pages, numbersRestart: false);
        const int Stored = Trades - 30;
        await StoreByPagesAsync(store, Stored);

        // Trades 1,001 to 1,100 are gone (page 10); the page being filled (trades 3,901 to 3,970) is the store's own.
        var gone = await memory.ReadRecordAsync<TradesPage>("trades-10", Owner, TestContext.Current.CancellationToken);
        await memory.ClearStateAsync("trades-10", Owner, gone, TestContext.Current.CancellationToken);
        counting.Reset();

        var everything = await store.ReadNewestAsync(Stored, Stored, int.MaxValue, _ => true);
        var before = await store.ReadNewestAsync(Stored, 2_050, 1_000, t => t.Number % 2 == 1);

        Assert.Equal(Enumerable.Range(1, Stored).Where(n => n is < 1_001 or > 1_100).Reverse().Select(n => (long)n), everything.Select(t => t.Number));
        Assert.Equal(Enumerable.Range(1, 2_050).Where(n => n % 2 == 1 && n is < 1_001 or > 1_100).Reverse().Select(n => (long)n), before.Select(t => t.Number));
        Assert.DoesNotContain(everything, t => t.Number > Stored);

        // The page in memory is not read: 39 stored pages for the first query, 21 for the second.
        Assert.Equal(39 + 21, counting.RecordsRead);
    }

    [Fact]
    public async Task ReadNewest_BelowTheNewest_ReadsOnlyPagesStillKept()
    {
        // Trades 1 to 4,000 written with the newest 10 pages kept: 3,001 to 4,000; pages 0 to 29 are deleted.
        const int Kept = 10;
        var memory = new MemoryGrainStorage();
        await StoreByPagesAsync(new TradesStore(memory, Owner, Kept, numbersRestart: false), Trades);
        var counting = new ReadCountingStorage("trades-");
        var store = new TradesStore(counting.Over(memory), Owner, Kept, numbersRestart: false);

        // A cursor far below the oldest kept trade: no page can hold one.
        var farBelow = await store.ReadNewestAsync(Trades, 2_000, 100, _ => true);
        Assert.Empty(farBelow);
        Assert.True(counting.RecordsRead == 0, $"A cursor below the kept trades read {counting.RecordsRead} pages in {counting.Reads} reads");

        // A cursor in the oldest kept page with a filter nothing meets: that page only, none of the deleted ones below it.
        var inOldestKept = await store.ReadNewestAsync(Trades, 3_050, 100, _ => false);
        Assert.Empty(inOldestKept);
        Assert.True(counting.RecordsRead == 1, $"A cursor in the oldest kept page read {counting.RecordsRead} pages in {counting.Reads} reads");
    }

    [Fact]
    public async Task Clear_ReadsTheKeptPagesInAFewRoundTrips_AndLeavesNoneOfThem()
    {
        var (memory, counting) = await StoredAsync();
        var store = new TradesStore(counting, Owner, Pages, numbersRestart: true);

        await store.ClearAsync(Trades);

        Assert.Equal(0, memory.Count);
        Assert.Equal(Pages, memory.Tombstones);
        Assert.True(counting.Reads <= 2, $"Clearing {Pages} pages of trades read {counting.RecordsRead} pages in {counting.Reads} reads");
        Assert.Empty(await store.ReadNewestAsync(Trades, Trades, int.MaxValue, _ => true));
    }

    /// <summary>Storage holding trades 1 to <see cref="Trades"/>, written by another store, its reads counted from here.</summary>
    private static async Task<(MemoryGrainStorage Memory, ReadCountingStorage Counting)> StoredAsync()
    {
        var memory = new MemoryGrainStorage();
        await StoreByPagesAsync(new TradesStore(memory, Owner, Pages, numbersRestart: false), Trades);
        var counting = new ReadCountingStorage("trades-");
        counting.Over(memory);
        return (memory, counting);
    }

    private static async Task StoreByPagesAsync(TradesStore store, int count)
    {
        for (var first = 1; first <= count; first += TradesStore.PageSize)
        {
            await store.StoreAsync([.. Enumerable.Range(first, Math.Min(TradesStore.PageSize, count - first + 1)).Select(n => Trade(n))]);
        }
    }
}
