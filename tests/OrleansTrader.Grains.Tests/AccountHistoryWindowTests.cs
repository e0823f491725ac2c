using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The account keeps only the newest history pages in memory: older retained history is still answered (read back from
/// storage), idempotency and order lookups still cover the whole retention, and history past the retention is gone.
/// </summary>
public sealed class AccountHistoryWindowTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task HistoryOutsideTheMemoryWindow_IsAnsweredFromStorage_BeforeAndAfterARestart()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("window.db", pagesInMemory: 1, pages: 1280));
        await Market.QuoteAsync(cluster, "WIN", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "window", 1_000_000m);
        var placed = await PlaceAndFillAsync(account, "w", "WIN", 12);

        await AssertWholeHistoryAsync(account, placed);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await AssertWholeHistoryAsync(cluster.Account("window"), placed);
    }

    [Fact]
    public async Task HistoryPastTheRetention_IsGone_AndItsClientOrderIdsAreFree()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("retention.db", pagesInMemory: 1, pages: 3));
        await Market.QuoteAsync(cluster, "RET", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "retention", 1_000_000m);
        var placed = await PlaceAndFillAsync(account, "r", "RET", 10);

        var events = await account.GetEventsAsync(0, 10_000);
        Assert.True(events.Truncated);
        Assert.True(events.OldestSequence > 1);
        Assert.Equal(events.OldestSequence, events.Events[0].Sequence);

        // A reader at or past the newest event missed nothing, however large its sequence (the largest one overflowed).
        Assert.False((await account.GetEventsAsync(events.LastSequence, 10)).Truncated);
        Assert.False((await account.GetEventsAsync(long.MaxValue, 10)).Truncated);
        Assert.Null(await account.GetOrderByClientOrderIdAsync("r-0"));
        Assert.Null(await account.GetOrderAsync(placed[0]));

        // Gone, not never given out: the gateway's 404 says which.
        Assert.True(await account.IsOrderPastHistoryAsync(placed[0]));
        Assert.False(await account.IsOrderPastHistoryAsync(placed[9]));
        Assert.False(await account.IsOrderPastHistoryAsync("O" + (long.Parse(placed[9][1..], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString("D9", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(await account.IsOrderPastHistoryAsync("O000000000"));
        Assert.False(await account.IsOrderPastHistoryAsync("X1"));
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderByClientOrderIdAsync("r-9"))!.Status);

        // The newest orders are still idempotent; a forgotten client order id places a new order.
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("r-9", "RET", OrderSide.Buy, 1m))).IsExisting);
        var again = await account.PlaceOrderAsync(Market.MarketOrder("r-0", "RET", OrderSide.Buy, 1m));
        Assert.True(again.Succeeded, again.Denial?.Message);
        Assert.False(again.IsExisting);
        Assert.NotEqual(placed[0], again.Order!.OrderId);
    }

    /// <summary>
    /// A page was written once the tail held the page size or more, so the change that filled it went in whole: a page
    /// held up to the page size plus the entries of one change less one (6 entries at a page size of 4 here).
    /// A page now holds at most the page size (a fill and its event are never split, so it may hold one less), and the
    /// history of orders placed, filled and canceled reads back whole across such pages, before and after a restart.
    /// </summary>
    [Fact]
    public async Task PagesHoldAtMostThePageSize_AndTheHistoryReadsBackWhole()
    {
        const int pageSize = 4;
        await using var cluster = await TradingCluster.StartAsync(Options("bigpage.db", pagesInMemory: 1, pages: 1280, pageSize));
        await Market.QuoteAsync(cluster, "BIG", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "bigpage", 1_000_000m);
        var resting = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.Limit($"b-{i}", "BIG", OrderSide.Buy, 1m, 9.5m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
            resting.Add(placed.Order!.OrderId);
        }

        var filled = await PlaceAndFillAsync(account, "f", "BIG", 1);
        Assert.All(await account.CancelAllAsync(), c => Assert.True(c.Succeeded, c.Denial?.Message));
        var (tail, largestPage, largestCount) = await AccountHistoryPages.SizesAsync(cluster, "bigpage");
        Assert.True(tail < pageSize, $"The core record's tail holds {tail} entries; the page size is {pageSize}.");
        Assert.True(largestCount <= pageSize, $"history-{largestPage} holds {largestCount} entries; the page size is {pageSize}.");

        await AssertCanceledAsync(account, resting, filled[0]);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await AssertCanceledAsync(cluster.Account("bigpage"), resting, filled[0]);
    }

    /// <summary>
    /// A client order id the account's history no longer holds, placed again, while the paper venue still keeps the earlier
    /// order it named: the venue answers with that order, long final. Adopted, the new order stayed Accepted for good,
    /// holding its reservation, waiting for fills that had come long before. It is rejected, naming the earlier order.
    /// </summary>
    [Fact]
    public async Task AForgottenClientOrderId_TheVenueStillHolds_IsRejectedAsReused_AndHoldsNothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(Options("reused.db", pagesInMemory: 1, pages: 3) with { Time = time });
        await Market.QuoteAsync(cluster, "REU", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "reused", 1_000_000m);
        await PlaceAndFillAsync(account, "u", "REU", 10);
        Assert.Null(await account.GetOrderByClientOrderIdAsync("u-0"));

        time.Advance(TimeSpan.FromMinutes(5));
        await Market.QuoteAsync(cluster, "REU", 10m, 10m);
        var again = await account.PlaceOrderAsync(Market.MarketOrder("u-0", "REU", OrderSide.Buy, 1m));

        Assert.Equal(OrderStatus.Rejected, again.Order!.Status);
        Assert.StartsWith("CLIENT_ORDER_ID_REUSED: the broker already holds order ", again.Order.StatusReason, StringComparison.Ordinal);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((0m, 0), (snapshot.Reserved, snapshot.OpenOrderCount));

        // A new client order id places as usual.
        var fresh = await account.PlaceOrderAsync(Market.MarketOrder("u-new", "REU", OrderSide.Buy, 1m));
        await Eventually.WaitAsync(() => account.GetOrderAsync(fresh.Order!.OrderId), o => o?.Status == OrderStatus.Filled, "the new order's fill");
    }

    /// <summary>
    /// History pages past the retention leave nothing in storage: each page name is written once and never again, so a
    /// tombstone of it (a row with no payload) protected nothing and stayed for good, a row per page (about one per order).
    /// </summary>
    [Fact]
    public async Task HistoryPagesPastTheRetention_LeaveNoRows_AndTheRetainedHistoryIsReadBeforeAndAfterARestart()
    {
        const int pages = 3;
        var file = _dir.File("pages.db");
        await using var cluster = await TradingCluster.StartAsync(Options("pages.db", pagesInMemory: 1, pages: pages));
        await Market.QuoteAsync(cluster, "PGS", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "pages", 1_000_000m);
        var placed = await PlaceAndFillAsync(account, "p", "PGS", 30);

        var (live, tombstones) = await HistoryRowsAsync(file);
        Assert.True(live + tombstones <= pages, $"{placed.Count} orders left {live} history pages and {tombstones} tombstones.");
        Assert.Equal(0, tombstones);

        // The retained history: the newest fills and journal entries, read from the pages in storage.
        var fills = await account.GetFillsAsync(0, 10_000);
        var journal = await account.GetJournalAsync(0, 10_000);
        Assert.NotEmpty(fills);
        Assert.Equal(placed[^1], fills[^1].OrderId);
        Assert.Equal(Enumerable.Range((int)fills[0].Sequence, fills.Count).Select(i => (long)i), fills.Select(f => f.Sequence));
        Assert.Equal(placed[^1], journal[^1].OrderId);

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var restarted = cluster.Account("pages");
        Assert.Equal(fills, await restarted.GetFillsAsync(0, 10_000));
        Assert.Equal(journal, await restarted.GetJournalAsync(0, 10_000));
        Assert.Equal(OrderStatus.Filled, (await restarted.GetOrderAsync(placed[^1]))!.Status);
    }

    [Fact]
    public async Task FillsPastTheRetention_AreNotBookedAgain_ByTheBackFillOfAReconciliation_OrOfARestart()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("backfill.db", pagesInMemory: 1, pages: 3));
        await Market.QuoteAsync(cluster, "BKF", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "backfill", 1_000_000m);
        await PlaceAndFillAsync(account, "b", "BKF", 10);
        var before = (await account.GetSnapshotAsync())!;

        // The fills are minutes inside the back-fill's overlap, but the ids of the oldest left with their pages.
        var report = await account.ReconcileAsync();
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var restarted = cluster.Account("backfill");
        var afterRestart = await restarted.ReconcileAsync();

        var snapshot = (await restarted.GetSnapshotAsync())!;
        Assert.Equal(10m, (await restarted.GetPositionsAsync()).Single(p => p.Symbol == "BKF").Quantity);
        Assert.Equal(before.Cash, snapshot.Cash);
        Assert.Equal(TradingState.Active, snapshot.TradingState);
        Assert.Empty(report.Mismatches);
        Assert.Empty(afterRestart.Mismatches);
    }

    /// <summary>
    /// A new activation's back-fill starts the overlap before the newest fill. When that is to the tick the time of the newest
    /// fill whose id left with the retention, it starts a tick after it (the venue lists executions from the start on), or
    /// that fill came back unknown and was booked a second time.
    /// </summary>
    [Fact]
    public async Task AFillPastTheRetention_AtExactlyTheBackFillStart_IsNotBookedAgain_AfterARestart()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(Options("edge.db", pagesInMemory: 1, pages: 3) with { Time = time });
        await Market.QuoteAsync(cluster, "EDG", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "edge", 1_000_000m);
        await PlaceAndFillAsync(account, "e", "EDG", 1);

        // The newest fill exactly the back-fill's overlap (five minutes) after the first.
        time.Advance(TimeSpan.FromMinutes(5));
        await Market.QuoteAsync(cluster, "EDG", 10m, 10m);
        var newest = await PlaceAndFillAsync(account, "f", "EDG", 1);

        // Resting orders (no fills) add history pages until the first fill's page, and its execution id, leave the retention.
        for (var i = 0; (await account.GetFillsAsync(0, 10)).Count > 1; i++)
        {
            Assert.True(i < 20, "The first fill's page never left the retention.");
            var resting = await account.PlaceOrderAsync(Market.Limit($"r-{i}", "EDG", OrderSide.Buy, 1m, 9m));
            Assert.True(resting.Succeeded, resting.Denial?.Message);
        }

        Assert.Equal(newest, (await account.GetFillsAsync(0, 10)).Select(f => f.OrderId));
        var cash = (await account.GetSnapshotAsync())!.Cash;

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var restarted = cluster.Account("edge");
        var report = await restarted.ReconcileAsync();

        Assert.Equal(2m, (await restarted.GetPositionsAsync()).Single(p => p.Symbol == "EDG").Quantity);
        Assert.Equal(cash, (await restarted.GetSnapshotAsync())!.Cash);
        Assert.Empty(report.Mismatches);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("edge").GetStateAsync()).State);
    }

    // The cancel-replace race (OrderLifecycleEdgeCaseTests): a fill of the old order reported after the replace is booked
    // with a warning. That must not depend on whether the replaced order's page is still in memory: with more orders placed
    // before the late report arrives, the page has left the window, and the same fill tripped REDUCING as "closed order".
    [Fact]
    public async Task ALateFillOfAReplacedOrder_IsBookedWithoutTrippingTheBreaker_AfterItsPageLeftMemory()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Configure<AccountGrainOptions>(o => o.HistoryPagesInMemory = 1);
                silo.Services.Configure<PaperExchangeOptions>(o => o.FillLatency = TimeSpan.FromSeconds(1));
            },
        });
        await Market.QuoteAsync(cluster, "LATE", 50m, 50.02m);
        await Market.QuoteAsync(cluster, "LATO", 50m, 50.02m);
        var account = await TestAccounts.OpenAsync(cluster, "late-fill", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("late-1", "LATE", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        // 4 shares offered at 49 fill 4 of the old order at the venue; the report is a second away on the venue's clock.
        await Market.QuoteAsync(cluster, "LATE", 48.9m, 49m, size: 4m);
        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = placed.Order!.OrderId,
            Replacement = new OrderReplacement { LimitPrice = 48.5m },
        });
        Assert.True(replaced.Succeeded, replaced.Denial?.Message);

        // Resting orders meanwhile fill a few history pages: the replaced order's page leaves the memory window.
        for (var i = 0; i < 6; i++)
        {
            Assert.True((await account.PlaceOrderAsync(Market.Limit($"late-other-{i}", "LATO", OrderSide.Buy, 1m, 48m))).Succeeded);
        }

        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the old order's late fill");

        Assert.Equal(4m, (await account.GetPositionsAsync()).Single(p => p.Symbol == "LATE").Quantity);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("late-fill").GetStateAsync()).State);
    }

    [Fact]
    public void MemoryHoldsOnlyTheWindow_WhileTheIndexesCoverTheRetention()
    {
        var history = new AccountHistory();
        history.StartTail(0);
        var sequence = 0L;
        for (var page = 0; page < 50; page++)
        {
            var clientOrderId = $"c-{page}";
            history.Add(new JournalEntry
            {
                Sequence = ++sequence, Timestamp = DateTimeOffset.UnixEpoch, OrderId = $"O{page}", ClientOrderId = clientOrderId,
                Symbol = "X", To = OrderStatus.PendingNew, Action = "submitted",
            });
            history.Add(new AccountFill
            {
                Sequence = sequence, ExecutionId = $"E{page}", OrderId = $"O{page}", ClientOrderId = clientOrderId, Symbol = "X",
                Side = OrderSide.Buy, Quantity = 1m, Price = 1m, Fee = 0m, RealizedPnl = 0m, Timestamp = DateTimeOffset.UnixEpoch,
            });
            history.SealTail(pagesInMemory: 4);
        }

        Assert.Equal(4, history.Journal.Count);
        Assert.Equal(4, history.Fills.Count);
        Assert.Equal(47, history.Journal[0].Sequence);
        Assert.Equal(46, history.PagesOnlyInStorage);
        Assert.True(history.TryGetOrderId("c-0", out var first));
        Assert.Equal("O0", first);
        Assert.True(history.HasExecution("E0"));

        // Dropping the oldest page from the retention forgets its keys, except those a working order still needs.
        var working = new WorkingOrder { Origin = "test", Order = Order.Create("O1", Market.MarketOrder("c-1", "X", OrderSide.Buy, 1m).Request!, DateTimeOffset.UnixEpoch) };
        var workingOrders = new Dictionary<string, WorkingOrder>(StringComparer.Ordinal) { ["O1"] = working };
        history.EvictOldest(workingOrders);
        history.EvictOldest(workingOrders);
        Assert.False(history.TryGetOrderId("c-0", out _));
        Assert.False(history.HasExecution("E0"));
        Assert.True(history.TryGetOrderId("c-1", out _));
        Assert.Equal(48, history.Pages.Count);
        Assert.Equal(4, history.Journal.Count);
    }

    /// <summary>Every event, journal entry and fill reads back in sequence; each canceled order is found by id and listed closed.</summary>
    private static async Task AssertCanceledAsync(IAccountGrain account, IReadOnlyList<string> canceled, string filled)
    {
        var events = await account.GetEventsAsync(0, 10_000);
        Assert.False(events.Truncated);
        Assert.Equal(Enumerable.Range(1, (int)events.LastSequence).Select(i => (long)i), events.Events.Select(e => e.Sequence));
        var journal = await account.GetJournalAsync(0, 10_000);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(j => j.Sequence));
        var fills = await account.GetFillsAsync(0, 10_000);
        Assert.Equal([filled], fills.Select(f => f.OrderId));
        Assert.Equal(fills, events.Events.Where(e => e.Kind == AccountEventKind.Fill).Select(e => e.Fill));
        foreach (var orderId in canceled)
        {
            Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(orderId))?.Status);
        }

        var closed = await account.GetOrdersAsync(OrderStatusFilter.Closed, 100, null);
        Assert.Equal(canceled.Append(filled).Order(StringComparer.Ordinal), closed.Select(o => o.OrderId).Order(StringComparer.Ordinal));
        Assert.True((await account.PlaceOrderAsync(Market.Limit("b-0", "BIG", OrderSide.Buy, 1m, 9.5m))).IsExisting);
    }

    private static async Task AssertWholeHistoryAsync(IAccountGrain account, IReadOnlyList<string> orderIds)
    {
        var fills = await account.GetFillsAsync(0, 10_000);
        Assert.Equal(Enumerable.Range(1, orderIds.Count).Select(i => (long)i), fills.Select(f => f.Sequence));
        Assert.Equal(orderIds, fills.Select(f => f.OrderId));
        Assert.Equal(3, (await account.GetFillsAsync(4, 3)).Count);

        var events = await account.GetEventsAsync(0, 10_000);
        Assert.False(events.Truncated);
        Assert.Equal(1, events.OldestSequence);
        Assert.Equal(Enumerable.Range(1, (int)events.LastSequence).Select(i => (long)i), events.Events.Select(e => e.Sequence));

        // A written page stores a fill event without its fill (the page's fills hold it): read back, each carries its own.
        Assert.Equal(fills, events.Events.Where(e => e.Kind == AccountEventKind.Fill).Select(e => e.Fill));

        var journal = await account.GetJournalAsync(0, 10_000);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(j => j.Sequence));
        Assert.Equal(orderIds, journal.Select(j => j.OrderId).Distinct());

        // The oldest order is still found, by id and by client order id, and its client order id stays taken.
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderAsync(orderIds[0]))!.Status);
        Assert.Equal(orderIds[0], (await account.GetOrderByClientOrderIdAsync("w-0"))!.OrderId);
        var repeat = await account.PlaceOrderAsync(Market.MarketOrder("w-0", "WIN", OrderSide.Buy, 1m));
        Assert.True(repeat.IsExisting);
        Assert.Equal(orderIds[0], repeat.Order!.OrderId);

        var closed = await account.GetOrdersAsync(OrderStatusFilter.Closed, 100, null);
        Assert.Equal(orderIds.Reverse(), closed.Select(o => o.OrderId));
        Assert.All(closed, o => Assert.Equal(OrderStatus.Filled, o.Status));
        var older = await account.GetOrdersAsync(OrderStatusFilter.All, 5, orderIds[5]);
        Assert.Equal(orderIds.Take(5).Reverse(), older.Select(o => o.OrderId));
    }

    private TradingClusterOptions Options(string file, int pagesInMemory, int pages, int? pageSize = null) => new()
    {
        SqlitePath = _dir.File(file),
        ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o =>
        {
            o.HistoryPagesInMemory = pagesInMemory;
            o.HistoryPages = pages;
            o.HistoryPageSize = pageSize ?? o.HistoryPageSize;
            o.SignalInterval = TimeSpan.FromMinutes(10);
        }),
    };

    /// <summary>The account's "history-N" rows in the SQLite file: those with a page, and tombstones.</summary>
    private static async Task<(long Live, long Tombstones)> HistoryRowsAsync(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(payload), COUNT(*) - COUNT(payload) FROM grain_state WHERE state_name LIKE 'history-%';";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Places market buys one after another, each awaited to its fill; returns their order ids in order.</summary>
    private static async Task<List<string>> PlaceAndFillAsync(IAccountGrain account, string prefix, string symbol, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.MarketOrder($"{prefix}-{i}", symbol, OrderSide.Buy, 1m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
            ids.Add(placed.Order!.OrderId);
            await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId), o => o?.Status == OrderStatus.Filled, $"fill {i + 1}");
        }

        return ids;
    }
}
