using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An account reads its retained history pages together: activating one with hundreds of pages, or reading its history
/// from the start, costs a storage round trip per chunk of pages, not one per page (a PostgreSQL soak saw ~950 pages and
/// as many sequential queries on an account's first call after a restart).
/// </summary>
public sealed class AccountHistoryLoadTests
{
    private const int Orders = 48;

    [Fact]
    public async Task AnAccountWithHundredsOfHistoryPages_ReadsThemInAFewRoundTrips_OnActivationAndFromTheStart()
    {
        var storage = new ReadCountingStorage("history-");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Configure<AccountGrainOptions>(o =>
                {
                    // A page per entry (a fill and its event share one): a few hundred pages from a few dozen orders.
                    o.HistoryPageSize = 1;
                    o.HistoryPagesInMemory = 1;
                    o.SignalInterval = TimeSpan.FromMinutes(10);
                });
            },
        });
        await Market.QuoteAsync(cluster, "LOAD", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "history-load", 1_000_000m);
        var placed = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            var result = await account.PlaceOrderAsync(Market.MarketOrder($"l-{i}", "LOAD", OrderSide.Buy, 1m));
            Assert.True(result.Succeeded, result.Denial?.Message);
            placed.Add(result.Order!.OrderId);
            await Eventually.WaitAsync(() => account.GetOrderAsync(result.Order.OrderId), o => o?.Status == OrderStatus.Filled, $"fill {i + 1}");
        }

        var fills = await account.GetFillsAsync(0, 10_000);
        var journal = await account.GetJournalAsync(0, 10_000);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        storage.Reset();

        var restarted = cluster.Account("history-load");
        Assert.NotNull(await restarted.GetSnapshotAsync());
        var pages = storage.RecordsRead;
        Assert.True(pages >= 200, $"{Orders} orders left only {pages} history pages to read.");
        Assert.True(storage.Reads <= 3, $"Activating the account read its {pages} history pages in {storage.Reads} reads.");

        // The whole history from the start: every retained page but the one in memory, read together.
        storage.Reset();
        Assert.Equal(fills, await restarted.GetFillsAsync(0, 10_000));
        Assert.True(storage.Reads <= 3, $"Reading fills from the start read {storage.RecordsRead} pages in {storage.Reads} reads.");
        Assert.Equal(journal, await restarted.GetJournalAsync(0, 10_000));
        Assert.Equal(Enumerable.Range(1, Orders).Select(i => (long)i), fills.Select(f => f.Sequence));
        Assert.Equal(placed, fills.Select(f => f.OrderId));

        // A limited read from the start reads only the pages the limit reaches.
        storage.Reset();
        Assert.Equal(fills.Take(3), await restarted.GetFillsAsync(0, 3));
        Assert.True(storage.RecordsRead < pages / 4, $"Three fills from the start read {storage.RecordsRead} of {pages} pages.");

        storage.Reset();
        var closed = await restarted.GetOrdersAsync(OrderStatusFilter.Closed, 1000, null);
        Assert.Equal(Enumerable.Reverse(placed), closed.Select(o => o.OrderId));
        Assert.All(closed, o => Assert.Equal(OrderStatus.Filled, o.Status));
        Assert.True(storage.Reads <= 2, $"Listing {closed.Count} closed orders read {storage.RecordsRead} pages in {storage.Reads} reads.");
    }
}
