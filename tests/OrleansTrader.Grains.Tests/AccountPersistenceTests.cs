using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The account's storage layout (write-once history pages, the page being filled inside the core record) and the
/// broker acceptance that rides with the next write: nothing acknowledged is lost across restarts and crashes.
/// </summary>
public sealed class AccountPersistenceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task HistoryOfTheOlderLayout_WithARewrittenCurrentPage_LoadsAndGrowsOn()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("legacy.db"));
        await Market.QuoteAsync(cluster, "LEG", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "legacy", 100_000m);
        await PlaceAndFillAsync(account, "lg-a", "LEG", 1);
        var rest = await account.PlaceOrderAsync(Market.Limit("lg-rest", "LEG", OrderSide.Buy, 1m, 9.5m));
        Assert.True(rest.Succeeded, rest.Denial?.Message);

        // Its acceptance rides with the next write (the graceful stop below): the events read here are all that is stored.
        await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync("lg-rest"), o => o?.Status == OrderStatus.Accepted, "the acceptance");
        var before = await account.GetEventsAsync(0, 10_000);

        // The older layout: the current page as a "history-N" record, no tail in the core.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("legacy"), core, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, core.State.HistoryTail.Count);
            var page = new GrainState<AccountHistoryPage>(core.State.HistoryTail);
            await storage.WriteStateAsync(PageName(core.State.CurrentHistoryPage), Id("legacy"), page, TestContext.Current.CancellationToken);
            core.State.HistoryTail = new AccountHistoryPage();
            await storage.WriteStateAsync("account", Id("legacy"), core, TestContext.Current.CancellationToken);
        });

        account = cluster.Account("legacy");
        var loaded = await account.GetEventsAsync(0, 10_000);
        Assert.Equal(before.Events.Select(e => e.Sequence).Append(before.LastSequence + 1), loaded.Events.Select(e => e.Sequence));
        Assert.Equal(before.LastSequence + 1, loaded.LastSequence);

        // More orders fill the legacy page (overwriting its record) and further ones; a restart keeps every entry once.
        await Market.QuoteAsync(cluster, "LEG", 10m, 10m);
        await PlaceAndFillAsync(account, "lg-b", "LEG", 4);
        var after = await account.GetEventsAsync(0, 10_000);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("legacy");
        var reloaded = await account.GetEventsAsync(0, 10_000);
        Assert.Equal(after.Events.Select(e => e.Sequence), reloaded.Events.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, (int)after.LastSequence).Select(i => (long)i), reloaded.Events.Select(e => e.Sequence));
        Assert.Equal(5, (await account.GetFillsAsync(0, 100)).Count);
        Assert.Equal(5m, Assert.Single(await account.GetPositionsAsync()).Quantity);
    }

    /// <summary>
    /// A turn that fills several history pages writes them all before the core record: a crash among those writes leaves
    /// pages past the one the stored core record is on (here: a core record put back from before several pages were
    /// written). Written again without their ETags, each was an ETag conflict that deactivated the account at every
    /// change; they are read along at activation and overwritten, and the history stays whole.
    /// </summary>
    [Fact]
    public async Task PagesACrashLeftPastTheCoreRecordsPage_AreOverwritten_AndTheHistoryStaysWhole()
    {
        const int pageSize = 4;
        await using var cluster = await TradingCluster.StartAsync(Options("uncommitted.db", pageSize));
        await Market.QuoteAsync(cluster, "UNC", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "uncommitted", 100_000m);
        var earlier = (await ReadAsync<AccountState>(cluster, "uncommitted", "account")).State;
        await PlaceAndCancelAsync(account, "lost", 3);
        var left = (await ReadAsync<AccountState>(cluster, "uncommitted", "account")).State.CurrentHistoryPage;
        Assert.True(left > earlier.CurrentHistoryPage + 2, $"Pages {earlier.CurrentHistoryPage} to {left - 1} were to be written.");

        await RestoreCoreAsync(cluster, "uncommitted", earlier);
        account = cluster.Account("uncommitted");
        await PlaceAndCancelAsync(account, "kept", 3);

        var events = await account.GetEventsAsync(0, 10_000);
        Assert.Equal(Enumerable.Range(1, (int)events.LastSequence).Select(i => (long)i), events.Events.Select(e => e.Sequence));
        Assert.DoesNotContain(await account.GetJournalAsync(0, 10_000), j => j.ClientOrderId.StartsWith("lost", StringComparison.Ordinal));
        var (tail, largestPage, largestCount) = await AccountHistoryPages.SizesAsync(cluster, "uncommitted");
        Assert.True(largestCount <= pageSize, $"history-{largestPage} holds {largestCount} entries; the page size is {pageSize}.");
        Assert.True(tail < pageSize, $"The core record's tail holds {tail} entries.");
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        Assert.Equal(events.Events.Select(e => e.Sequence), (await cluster.Account("uncommitted").GetEventsAsync(0, 10_000)).Events.Select(e => e.Sequence));
    }

    /// <summary>
    /// Order ids are O and nine digits or more: past O999999999 they have ten. Ordered as text, O1000000000 came before
    /// O999999999, so the list newest first put the newer orders after it and a page after O999999999 answered them again.
    /// The account's order counter is seeded through its stored record: a billion orders are not placed.
    /// </summary>
    [Fact]
    public async Task OrderIdsPastNineDigits_ListNewestFirst_PageAndCancelInTheirNumbersOrder()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("ids.db"));
        await TestAccounts.OpenAsync(cluster, "ids", 100_000m);
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("ids"), core, TestContext.Current.CancellationToken);
            core.State.LastOrderNumber = 999_999_998;
            await storage.WriteStateAsync("account", Id("ids"), core, TestContext.Current.CancellationToken);
        });
        var account = cluster.Account("ids");
        await Market.QuoteAsync(cluster, "IDS", 10m, 10m);
        for (var i = 0; i < 3; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.Limit($"ids-{i}", "IDS", OrderSide.Buy, 1m, 9.5m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
        }

        var firstPage = await account.GetOrdersAsync(OrderStatusFilter.All, 2, null);
        var nextPage = await account.GetOrdersAsync(OrderStatusFilter.All, 2, firstPage[^1].OrderId);
        var canceled = await account.CancelAllAsync();

        Assert.Equal(["O1000000001", "O1000000000"], firstPage.Select(o => o.OrderId));
        Assert.Equal(["O999999999"], nextPage.Select(o => o.OrderId));
        Assert.Equal(["O999999999", "O1000000000", "O1000000001"], canceled.Select(c => c.Order?.OrderId));
    }

    [Fact]
    public async Task SettingsOfTheOlderLayout_InTheCoreRecord_MoveToTheirOwnRecord()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("settings.db"));
        await Market.QuoteAsync(cluster, "STG", 10m, 10m);
        var limits = TestAccounts.Loose with { MaxOpenOrders = 77 };
        var policy = Domain.Breaker.BreakerPolicy.Default with { DailyLossLimit = 4_321m };
        var account = await TestAccounts.OpenAsync(cluster, "settings", 100_000m, limits, policy);
        var settings = await ReadAsync<AccountSettings>(cluster, "settings", "settings");
        Assert.True(settings.RecordExists);
        Assert.Equal(limits, settings.State.RiskLimits);
        Assert.Null((await ReadAsync<AccountState>(cluster, "settings", "account")).State.RiskLimits);
        // The older layout: settings inside the core record, no settings record.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("settings"), core, TestContext.Current.CancellationToken);
            core.State.FeeModel = settings.State.FeeModel;
            core.State.RiskLimits = settings.State.RiskLimits;
            core.State.BreakerPolicy = settings.State.BreakerPolicy;
            await storage.WriteStateAsync("account", Id("settings"), core, TestContext.Current.CancellationToken);
            await storage.ClearStateAsync("settings", Id("settings"), settings, TestContext.Current.CancellationToken);
        });

        account = cluster.Account("settings");
        Assert.Equal(limits, await account.GetRiskLimitsAsync());
        var moved = await ReadAsync<AccountSettings>(cluster, "settings", "settings");
        Assert.True(moved.RecordExists);
        Assert.Equal(settings.State, moved.State);
        await Market.QuoteAsync(cluster, "STG", 10m, 10m);
        await PlaceAndFillAsync(account, "st", "STG", 1);
        var core = await ReadAsync<AccountState>(cluster, "settings", "account");
        Assert.Null(core.State.FeeModel);
        Assert.Null(core.State.RiskLimits);
        Assert.Null(core.State.BreakerPolicy);
        Assert.Equal(policy, moved.State.BreakerPolicy);
    }

    [Fact]
    public async Task HistoryPages_AreWrittenOnceFull_AndTheTailTravelsInTheCoreRecord()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("pages.db"));
        await Market.QuoteAsync(cluster, "PGS", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "pages", 100_000m);
        await PlaceAndFillAsync(account, "pg", "PGS", 6);

        var core = await ReadAsync<AccountState>(cluster, "pages", "account");
        Assert.True(core.State.CurrentHistoryPage > 0);
        Assert.True(core.State.HistoryTail.Count < new AccountGrainOptions().HistoryPageSize);
        Assert.False((await ReadAsync<AccountHistoryPage>(cluster, "pages", PageName(core.State.CurrentHistoryPage))).RecordExists);
        var storedFills = 0;
        for (var n = core.State.FirstHistoryPage; n < core.State.CurrentHistoryPage; n++)
        {
            var page = await ReadAsync<AccountHistoryPage>(cluster, "pages", PageName(n));
            Assert.True(page.RecordExists);
            Assert.True(page.State.Count >= new AccountGrainOptions().HistoryPageSize);
            Assert.Equal("1", page.ETag);

            // A fill event is stored without its fill: the page's fills list holds it already, in the same order.
            var fillEvents = page.State.Events.Where(e => e.Kind == AccountEventKind.Fill).ToList();
            Assert.Equal(fillEvents.Count, page.State.Fills.Count);
            Assert.All(fillEvents, e => Assert.Null(e.Fill));
            storedFills += page.State.Fills.Count;
        }

        Assert.True(storedFills > 0, "No written page holds a fill.");
    }

    [Fact]
    public async Task HistoryPagesWrittenWhole_ByOlderBuilds_StillLoad_WithTheirFills()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("whole-pages.db"));
        await Market.QuoteAsync(cluster, "WHL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "whole", 100_000m);
        await PlaceAndFillAsync(account, "wh", "WHL", 4);
        var before = await account.GetEventsAsync(0, 10_000);
        // Older builds wrote a fill event with its fill: rewrite every other page that way, the rest stay compact.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("whole"), core, TestContext.Current.CancellationToken);
            Assert.True(core.State.CurrentHistoryPage >= 2);
            for (var n = core.State.FirstHistoryPage; n < core.State.CurrentHistoryPage; n += 2)
            {
                var page = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
                await storage.ReadStateAsync(PageName(n), Id("whole"), page, TestContext.Current.CancellationToken);
                var fills = new Queue<AccountFill>(page.State.Fills);
                page.State.Events = [.. page.State.Events.Select(e => e.Kind == AccountEventKind.Fill ? e with { Fill = fills.Dequeue() } : e)];
                await storage.WriteStateAsync(PageName(n), Id("whole"), page, TestContext.Current.CancellationToken);
            }
        });

        account = cluster.Account("whole");
        var loaded = await account.GetEventsAsync(0, 10_000);
        Assert.Equal(before.Events, loaded.Events);
        Assert.Equal(await account.GetFillsAsync(0, 100), loaded.Events.Where(e => e.Kind == AccountEventKind.Fill).Select(e => e.Fill));
    }

    [Fact]
    public async Task BrokerAcceptance_RidesWithTheNextWrite_AndAGracefulStopWritesIt()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("deferred.db"));
        await Market.QuoteAsync(cluster, "DFR", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "deferred", 100_000m);

        var placed = await account.PlaceOrderAsync(Market.Limit("df-1", "DFR", OrderSide.Buy, 5m, 9m));

        Assert.True(placed.Succeeded, placed.Denial?.Message);
        Assert.Equal(OrderStatus.Accepted, placed.Order!.Status);
        var stored = (await ReadAsync<AccountState>(cluster, "deferred", "account")).State.WorkingOrders[placed.Order.OrderId];
        Assert.True(stored.InFlight);
        Assert.Null(stored.BrokerOrderId);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        var core = (await ReadAsync<AccountState>(cluster, "deferred", "account")).State;
        stored = core.WorkingOrders[placed.Order.OrderId];
        Assert.False(stored.InFlight);
        Assert.Equal(placed.Order.BrokerOrderId, stored.BrokerOrderId);
        Assert.Equal(OrderStatus.Accepted, stored.Order.Status);
        Assert.Contains(core.HistoryTail.Journal, j => j.OrderId == placed.Order.OrderId && j.Action == "accepted");
    }

    [Fact]
    public async Task BrokerAcceptance_WrittenByAGracefulStop_IsNotAFailedPublish_AndItsEventIsInTheHistory()
    {
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(Options("deferred-stop.db") with
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<ILoggerProvider>(logs),
        });
        await Market.QuoteAsync(cluster, "DFS", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "deferred-stop", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("dfs-1", "DFS", OrderSide.Buy, 5m, 9m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);

        // The acceptance's event is written (and published) by OnDeactivateAsync, while the silo stops.
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == 5012);

        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        var events = await cluster.Cluster.Client.GetGrain<IAccountGrain>("deferred-stop").GetEventsAsync(0, 100);
        Assert.Contains(events.Events, e => e.Order is { ClientOrderId: "dfs-1", BrokerOrderId: not null });
    }

    [Fact]
    public async Task CrashAfterTheAcknowledgementBeforeTheFill_LosesNeitherTheOrderNorItsFill()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("crash.db"));
        await Market.QuoteAsync(cluster, "CRS", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "crash", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("cr-1", "CRS", OrderSide.Buy, 5m, 9m));
        Assert.Equal(OrderStatus.Accepted, placed.Order!.Status);

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        // Reconciliation at activation finds the in-flight order at the broker by its client order id.
        account = cluster.Account("crash");
        var order = await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId),
            o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the order reconciled as accepted");
        Assert.Equal(placed.Order.BrokerOrderId, order!.BrokerOrderId);
        Assert.True((await account.GetSnapshotAsync())!.Reserved > 0m);

        await Market.QuoteAsync(cluster, "CRS", 8.9m, 8.9m);
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId), o => o?.Status == OrderStatus.Filled, "the fill");
        Assert.Equal(5m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    // After a restart (a crash, a deploy, an idle collection) the account wakes with no marks: the first order it took,
    // on another symbol than the positions it holds, was denied INPUT_MISSING ("Missing account valuation") until the
    // 1 s signal tick fetched them, though every symbol grain had a quote.
    [Fact]
    public async Task FirstOrderAfterARestart_IsValuedAtTheMarksOfEveryPositionHeld()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("marks.db"));
        await Market.QuoteAsync(cluster, "MKA", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "marks", 100_000m);
        await PlaceAndFillAsync(account, "mk-a", "MKA", 2);

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "MKA", 10m, 10m);
        await Market.QuoteAsync(cluster, "MKB", 20m, 20m);

        account = cluster.Account("marks");
        var placed = await account.PlaceOrderAsync(Market.Limit("mk-b", "MKB", OrderSide.Buy, 1m, 19m));
        Assert.True(placed.Succeeded, placed.Denial?.ReasonCode + ": " + placed.Denial?.Message);

        // A preview is the placement's check: the same holds for it.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "MKA", 10m, 10m);
        await Market.QuoteAsync(cluster, "MKB", 20m, 20m);
        var preview = await cluster.Account("marks").PreviewOrderAsync(Market.Limit("mk-c", "MKB", OrderSide.Buy, 1m, 19m).Request);
        Assert.True(preview.Approved, preview.ReasonCode + ": " + preview.Message);

        // And for a replace, checked like a new order.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "MKA", 10m, 10m);
        await Market.QuoteAsync(cluster, "MKB", 20m, 20m);
        var replaced = await cluster.Account("marks").ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = placed.Order!.OrderId,
            Replacement = new OrderReplacement { LimitPrice = 18.5m },
        });
        Assert.True(replaced.Succeeded, replaced.Denial?.ReasonCode + ": " + replaced.Denial?.Message);
    }

    // The SSE stream and webhooks resume after the last sequence a reader saw: an event read before a crash must be the
    // event stored under that sequence after it, or a resumed reader skips whatever took its number.
    [Fact]
    public async Task EventsReadBeforeACrash_AreTheEventsStoredUnderTheirSequence_AfterIt()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("eventcrash.db"));
        await Market.QuoteAsync(cluster, "EVC", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "eventcrash", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("ec-1", "EVC", OrderSide.Buy, 5m, 9m));
        Assert.Equal(OrderStatus.Accepted, placed.Order!.Status);
        var seen = (await account.GetEventsAsync(0, 10_000)).Events;
        Assert.Equal(seen, (await ReadAsync<AccountState>(cluster, "eventcrash", "account")).State.HistoryTail.Events);

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        account = cluster.Account("eventcrash");
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId),
            o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the order reconciled as accepted");
        var stored = (await account.GetEventsAsync(0, 10_000)).Events;
        Assert.Equal(seen, stored.Take(seen.Count));
    }

    // The same for the journal (GET .../journal resumes after the last entry a reader saw): the acceptance's entry, read
    // while its write was deferred, took a number that reconciliation's entry got after a crash, so a reader resuming
    // after it never saw how the order came back.
    [Fact]
    public async Task JournalEntriesReadBeforeACrash_AreTheEntriesStoredUnderTheirSequence_AfterIt()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("journalcrash.db"));
        await Market.QuoteAsync(cluster, "JNC", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "journalcrash", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.Limit("jc-1", "JNC", OrderSide.Buy, 5m, 9m));
        Assert.Equal(OrderStatus.Accepted, placed.Order!.Status);
        var seen = await account.GetJournalPageAsync(0, 500);
        Assert.Equal(seen.LastSequence, seen.Entries[^1].Sequence);
        Assert.Equal(seen.Entries, (await ReadAsync<AccountState>(cluster, "journalcrash", "account")).State.HistoryTail.Journal);

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        account = cluster.Account("journalcrash");
        await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order.OrderId),
            o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the order reconciled as accepted");
        var stored = await account.GetJournalAsync(0, 500);
        Assert.Equal(seen.Entries, stored.Take(seen.Entries.Count));
    }

    // A crash right after a bracket's entry filled: the exits the account adopted, and the one reservation they share,
    // come back from storage; the take-profit then closes the position and the stop-loss ends with nothing left held.
    [Fact]
    public async Task ABracketsExits_AndTheirReservation_SurviveACrash_AndCloseThePositionAfterIt()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("bracket.db"));
        await Market.QuoteAsync(cluster, "BKC", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-crash", 100_000m);
        var entry = Market.AsBracket(Market.MarketOrder("bkc-1", "BKC", OrderSide.Buy, 10m), takeProfit: 21m, stopLoss: 19m);
        var placed = await account.PlaceOrderAsync(entry);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the exits working");
        var reserved = (await account.GetSnapshotAsync())!.Reserved;

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        account = cluster.Account("bracket-crash");
        var exits = await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null);
        Assert.Equal(2, exits.Count);
        Assert.All(exits, e => Assert.Equal(placed.Order!.OrderId, e.ParentOrderId));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);

        await Market.QuoteAsync(cluster, "BKC", 21m, 21m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the exits ended");
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    // Builds before efcddfd reserved for a bracket's exits on an entry fill booked after the exits had all ended (canceled
    // while the fill's report was on its way): the fee estimate stayed reserved with no order open. Activation releases it.
    [Fact]
    public async Task AReservationForExitsThatNoLongerWork_LeftByAnOlderBuild_IsReleasedAtActivation()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("leaked-exits.db"));
        await Market.QuoteAsync(cluster, "LKX", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "leaked-exits", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.AsBracket(Market.MarketOrder("lkx-1", "LKX", OrderSide.Buy, 10m), takeProfit: 21m, stopLoss: 19m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var entryId = placed.Order!.OrderId;
        foreach (var exit in await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the exits working"))
        {
            Assert.True((await account.CancelOrderAsync(exit.OrderId)).Succeeded);
        }

        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the exits canceled");
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(0m, snapshot.Reserved);

        // The core record as the older build left it: the exits ended, their reservation (the closing fee's estimate) held.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("leaked-exits"), core, TestContext.Current.CancellationToken);
            core.State.Ledger = core.State.Ledger!.Reserve(entryId + "-exits", "LKX", OrderSide.Sell, 10m, 0.01m, 20m, 0.01m).GetValueOrThrow();
            await storage.WriteStateAsync("account", Id("leaked-exits"), core, TestContext.Current.CancellationToken);
        });

        account = cluster.Account("leaked-exits");
        var after = (await account.GetSnapshotAsync())!;
        Assert.Equal(0m, after.Reserved);
        Assert.Equal(snapshot.BuyingPower, after.BuyingPower);
    }

    // Builds before bracket orders were kept placed them at the venue but stored neither the order class nor the exits:
    // after the upgrade the venue's working exits belong to a filled entry the account holds as a simple order. Reconciling
    // at activation adopts them (visible, cancelable, reserved once), so a fill of one books without a mismatch.
    [Fact]
    public async Task TheWorkingExitsOfABracketFilledUnderAnOlderBuild_AreAdoptedAfterTheUpgrade_AndTheirFillBooks()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("orphans.db"));
        await Market.QuoteAsync(cluster, "ORP", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "orphans", 100_000m);
        var placed = await account.PlaceOrderAsync(Market.AsBracket(Market.MarketOrder("orp-1", "ORP", OrderSide.Buy, 10m), takeProfit: 21m, stopLoss: 19m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var entryId = placed.Order!.OrderId;
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the exits working");
        var reserved = (await account.GetSnapshotAsync())!.Reserved;
        Assert.True(reserved > 0m);

        // The records as the older build left them: no exits, no reservation for them, the entry a simple order.
        var events = await RewriteAsBeforeExitsWereKeptAsync(cluster, "orphans", entryId, (state, exits) =>
        {
            Assert.Equal(exits.Count, state.WorkingOrders.Count);
            state.WorkingOrders.Clear();
            state.Ledger = state.Ledger!.Release(entryId + "-exits");
        });
        Assert.True(events > 0);

        account = cluster.Account("orphans");
        var adopted = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the exits adopted");
        Assert.All(adopted, e => Assert.Equal((entryId, OrderSide.Sell, 10m), (e.ParentOrderId, e.Side, e.Quantity)));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Contains(await account.GetJournalAsync(0, 1_000), j => j.Action == "exit-adopted");
        Assert.Equal(Domain.Breaker.TradingState.Active, (await cluster.Breaker("orphans").GetStateAsync()).State);

        var stopLoss = adopted.Single(e => e.Type == OrderType.Stop);
        var canceled = await account.CancelOrderAsync(stopLoss.OrderId);
        Assert.True(canceled.Succeeded, canceled.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrderAsync(stopLoss.OrderId), o => o?.Status == OrderStatus.Canceled, "the stop-loss canceled");
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);

        await Market.QuoteAsync(cluster, "ORP", 21m, 21m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the take-profit filled");
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Equal(Domain.Breaker.TradingState.Active, (await cluster.Breaker("orphans").GetStateAsync()).State);
    }

    // Builds before fills kept their order's origin stored fills without it, while their orders kept theirs. After the upgrade
    // GET .../fills answered origin null for every such fill (a demo account's weeks of strategy fills, a user's manual
    // ones), which the API documents only for a fill of an order the account does not know.
    [Fact]
    public async Task FillsStoredWithoutTheirOrigin_ByAnOlderBuild_ReadTheirOrdersOrigin()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("fill-origin.db"));
        await Market.QuoteAsync(cluster, "FOR", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "fill-origin", 100_000m);

        // Enough orders for pages beyond the in-memory window (read from storage), one placed by a strategy.
        await PlaceAndFillAsync(account, "fo", "FOR", 12);
        var bySomeStrategy = await account.PlaceOrderAsync(Market.MarketOrder("s1-1", "FOR", OrderSide.Buy, 1m) with { Origin = "strategy:s1" });
        Assert.True(bySomeStrategy.Succeeded, bySomeStrategy.Denial?.Message);
        var fills = await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10_000), f => f.Count == 13, "13 fills");
        Assert.Equal(["api"], fills.Take(12).Select(f => f.Origin).Distinct());
        Assert.Equal("strategy:s1", fills[^1].Origin);

        // The records as the older build left them: every fill, in the pages and in the tail, without its origin.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("fill-origin"), core, TestContext.Current.CancellationToken);
            var state = core.State;
            Assert.True(state.CurrentHistoryPage - state.FirstHistoryPage > new AccountGrainOptions().HistoryPagesInMemory);
            for (var number = state.FirstHistoryPage; number < state.CurrentHistoryPage; number++)
            {
                var page = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
                await storage.ReadStateAsync(PageName(number), Id("fill-origin"), page, TestContext.Current.CancellationToken);
                page.State.Fills = [.. page.State.Fills.Select(f => f with { Origin = null })];
                await storage.WriteStateAsync(PageName(number), Id("fill-origin"), page, TestContext.Current.CancellationToken);
            }

            state.HistoryTail.Fills = [.. state.HistoryTail.Fills.Select(f => f with { Origin = null })];
            await storage.WriteStateAsync("account", Id("fill-origin"), core, TestContext.Current.CancellationToken);
        });

        account = cluster.Account("fill-origin");
        var read = await account.GetFillsAsync(0, 10_000);
        Assert.Equal(fills.Select(f => (f.Sequence, f.OrderId, f.Origin)), read.Select(f => (f.Sequence, f.OrderId, f.Origin)));
        Assert.Equal(fills.Skip(5).Take(3).Select(f => f.Origin), (await account.GetFillsAsync(5, 3)).Select(f => f.Origin));
    }

    /// <summary>
    /// Rewrites an account's records as a build from before bracket exits were kept left them: <paramref name="changeCore"/>
    /// edits the core state (given the ids of the entry's two exits), and the history loses the exits' events and journal
    /// entries, numbered on without gaps, its order views without class and legs. Returns the events left.
    /// </summary>
    private static async Task<long> RewriteAsBeforeExitsWereKeptAsync(
        TradingCluster cluster, string accountId, string entryId, Action<AccountState, HashSet<string>> changeCore)
    {
        long events = 0, journal = 0;
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id(accountId), core, TestContext.Current.CancellationToken);
            var state = core.State;
            var exits = state.WorkingOrders.Values.Where(w => w.Order.ParentOrderId == entryId).Select(w => w.Order.OrderId).ToHashSet();
            Assert.Equal(2, exits.Count);
            changeCore(state, exits);

            void Strip(AccountHistoryPage page)
            {
                page.Events = [.. page.Events.Where(e => e.Order is null || !exits.Contains(e.Order.OrderId)).Select(e => e with
                {
                    Sequence = ++events,
                    Order = e.Order is { } order ? order with { OrderClass = null, TakeProfit = null, StopLoss = null } : null,
                })];
                page.Journal = [.. page.Journal.Where(j => !exits.Contains(j.OrderId)).Select(j => j with { Sequence = ++journal })];
            }

            for (var number = state.FirstHistoryPage; number < state.CurrentHistoryPage; number++)
            {
                var page = new GrainState<AccountHistoryPage>(new AccountHistoryPage());
                await storage.ReadStateAsync(PageName(number), Id(accountId), page, TestContext.Current.CancellationToken);
                Strip(page.State);
                await storage.WriteStateAsync(PageName(number), Id(accountId), page, TestContext.Current.CancellationToken);
            }

            Strip(state.HistoryTail);
            state.LastEventSequence = events;
            state.LastJournalSequence = journal;
            await storage.WriteStateAsync("account", Id(accountId), core, TestContext.Current.CancellationToken);
        });
        return events;
    }

    // The same older build with the bracket's entry still working at the upgrade: the account holds it as a simple order
    // while the venue holds its exits. They are adopted at activation, and when the entry fills they claim the position it
    // bought (reserved once, as a bracket's exits do), so another sale of it is a short and an exit's fill books.
    [Fact]
    public async Task TheHeldExitsOfABracketEntryWorkingUnderAnOlderBuild_AreAdoptedAfterTheUpgrade_AndReserveWhenItFills()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("held-orphans.db"));
        await Market.QuoteAsync(cluster, "HOR", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "held-orphans", 100_000m);
        var bracket = Market.AsBracket(Market.Limit("hor-1", "HOR", OrderSide.Buy, 10m, 19m), takeProfit: 21m, stopLoss: 18m);
        var placed = await account.PlaceOrderAsync(bracket);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var entryId = placed.Order!.OrderId;
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the entry and its held exits");
        var reserved = (await account.GetSnapshotAsync())!.Reserved;

        // The records as the older build left them: the entry a simple order, its exits unknown.
        await RewriteAsBeforeExitsWereKeptAsync(cluster, "held-orphans", entryId, (state, exits) =>
        {
            foreach (var exit in exits)
            {
                state.WorkingOrders.Remove(exit);
            }

            var entry = state.WorkingOrders[entryId];
            state.WorkingOrders[entryId] = entry with
            {
                Order = entry.Order with { Request = entry.Order.Request with { OrderClass = OrderClass.Simple, TakeProfit = null, StopLoss = null } },
            };
        });

        account = cluster.Account("held-orphans");
        var open = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the held exits adopted");
        Assert.Equal(2, open.Count(o => o.ParentOrderId == entryId));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Contains(await account.GetJournalAsync(0, 1_000), j => j.Action == "exit-adopted");

        await Market.QuoteAsync(cluster, "HOR", 19m, 19m);
        var exitsWorking = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 2, "the entry filled");
        Assert.All(exitsWorking, e => Assert.Equal((entryId, OrderSide.Sell, 10m), (e.ParentOrderId, e.Side, e.Quantity)));
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderAsync(entryId))!.Status);

        // The exits hold their fee estimate and claim the position: a further sale of it would be a short.
        Assert.InRange((await account.GetSnapshotAsync())!.Reserved, 0.01m, 0.10m);
        var extra = await account.PlaceOrderAsync(Market.Limit("hor-extra", "HOR", OrderSide.Sell, 10m, 19.2m));
        Assert.Equal(Domain.Risk.RiskReasonCodes.ShortingNotAllowed, extra.Denial?.ReasonCode);

        await Market.QuoteAsync(cluster, "HOR", 21m, 21m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "the take-profit filled");
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Equal(Domain.Breaker.TradingState.Active, (await cluster.Breaker("held-orphans").GetStateAsync()).State);
    }

    [Fact]
    public async Task SignalTick_OfAnIdleAccount_WritesNothing()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromMilliseconds(50)),
        });
        await Market.QuoteAsync(cluster, "IDL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "idle", 100_000m);
        await PlaceAndFillAsync(account, "id", "IDL", 1);
        await Market.QuoteAsync(cluster, "IDL", 10m, 10m);

        // The tick's own work (SignalAsync), run now instead of sleeping until the timer has: whatever the fill and the quote
        // left for a tick to write is written before the ETag is read.
        await account.RefreshAsync();
        var before = (await ReadAsync<AccountState>(cluster, "idle", "account")).ETag;

        // About a dozen ticks on the timer, then one more run of the tick's work that cannot be late: on a loaded machine
        // the timer may run none in 600 ms, and the assertion held without anything having been tried.
        await Task.Delay(TimeSpan.FromMilliseconds(600), TestContext.Current.CancellationToken);
        await account.RefreshAsync();

        Assert.Equal(before, (await ReadAsync<AccountState>(cluster, "idle", "account")).ETag);

        // A change the tick must carry still goes: a new high-water mark from a higher mark.
        await Market.QuoteAsync(cluster, "IDL", 12m, 12m);
        await Eventually.WaitAsync(async () => (await ReadAsync<AccountState>(cluster, "idle", "account")).ETag, e => e != before, "the tick's write");
    }

    [Fact]
    public async Task ACrashBetweenTheTransferWriteAndTheCoreWrite_AppliesTheTransferOnce_AtTheNextActivation()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("transfers.db"));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-crash", 10_000m);
        var beforeTheTransfer = await ReadAsync<AccountState>(cluster, "xfer-crash", "account");
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "dep-crash", Amount = 2_500m })).Succeeded);

        // The crash: the transfer is stored, the core record that applies it is not.
        await RestoreCoreAsync(cluster, "xfer-crash", beforeTheTransfer.State);

        account = cluster.Account("xfer-crash");
        Assert.Equal(12_500m, (await account.GetSnapshotAsync())!.Cash);
        var again = await account.TransferCashAsync(new TransferCash { TransferId = "dep-crash", Amount = 2_500m });
        Assert.True(again.Existing);
        Assert.Equal(12_500m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Single((await account.GetEventsAsync(0, 100)).Events, e => e.Kind == AccountEventKind.CashTransfer);
        Assert.Equal(1, (await ReadAsync<AccountState>(cluster, "xfer-crash", "account")).State.LastTransferSequence);
    }

    [Fact]
    public async Task AWithdrawalAppliedAtTheNextActivation_ScalesTheHighWaterMark_AsTheWithdrawalItselfDid()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("transfers-hwm.db"));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-hwm", 10_000m);

        // A position up to 120 sets the high-water mark, and back at 100 the account is in a drawdown.
        await Market.QuoteAsync(cluster, "XHW", 100m, 100m);
        await PlaceAndFillAsync(account, "xh", "XHW", 50);
        await Market.QuoteAsync(cluster, "XHW", 120m, 120m);
        await account.RefreshAsync();
        await Market.QuoteAsync(cluster, "XHW", 100m, 100m);
        await account.RefreshAsync();
        var beforeTheTransfer = await ReadAsync<AccountState>(cluster, "xfer-hwm", "account");
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "wd-hwm", Amount = -2_000m })).Succeeded);
        var applied = (await account.GetSnapshotAsync())!;
        Assert.True(applied.HighWaterMark > applied.Equity);

        // The crash: the withdrawal is stored, the core record that applies it is not. The next activation applies it
        // as the call did, the mark scaled with the equity (without the position's mark it moved by the amount instead).
        await RestoreCoreAsync(cluster, "xfer-hwm", beforeTheTransfer.State);
        await Market.QuoteAsync(cluster, "XHW", 100m, 100m);
        account = cluster.Account("xfer-hwm");
        var recovered = (await account.GetSnapshotAsync())!;
        Assert.Equal((applied.Cash, applied.Equity), (recovered.Cash, recovered.Equity));
        Assert.Equal(applied.HighWaterMark, recovered.HighWaterMark);
    }

    // A fill that lifted the high-water mark (valued at a price the account had not valued at before) lifted it only in
    // memory: the fill was written before the mark moved, and no later tick or deactivation saw a change to write. Back at
    // 100 after a restart, the drawdown was measured from the 10,000 the account opened with.
    [Fact]
    public async Task AHighWaterMarkRaisedAfterAFill_IsStored_AndSurvivesARestart()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("fill-hwm.db"));
        var account = await TestAccounts.OpenAsync(cluster, "fill-hwm", 10_000m);
        await Market.QuoteAsync(cluster, "FHW", 100m, 100m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("fh-a", "FHW", OrderSide.Buy, 50m), 1);

        // The rise to 120 is first valued after the next order's fill (no signal tick or refresh in between).
        await Market.QuoteAsync(cluster, "FHW", 120m, 120m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("fh-b", "FHW", OrderSide.Buy, 1m), 2);
        await Market.QuoteAsync(cluster, "FHW", 100m, 100m);
        var fallen = (await account.GetSnapshotAsync())!;
        Assert.True(fallen.HighWaterMark > 10_900m && fallen.Equity < 10_000m, $"{fallen.HighWaterMark} {fallen.Equity}");

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "FHW", 100m, 100m);
        var restarted = (await cluster.Account("fill-hwm").GetSnapshotAsync())!;
        Assert.Equal((fallen.Equity, fallen.HighWaterMark), (restarted.Equity, restarted.HighWaterMark));
    }

    [Fact]
    public async Task ACrashBetweenTheDaysWriteAndTheCoreWrite_ClosesThatDayAgain_IntoTheSameRow()
    {
        var time = new Runtime.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(Options("days.db") with { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "days", 100_000m);
        var beforeTheRoll = await ReadAsync<AccountState>(cluster, "days", "account");
        time.Advance(TimeSpan.FromDays(1));
        await account.RefreshAsync();
        Assert.Single((await ReadAsync<AccountDays>(cluster, "days", "days")).State.Days);

        // The crash: the day's row is stored, the core record that moves the day on is not.
        await RestoreCoreAsync(cluster, "days", beforeTheRoll.State);

        time.Advance(TimeSpan.FromHours(1));
        account = cluster.Account("days");
        await account.RefreshAsync();
        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal(time.GetUtcNow(), days[0].EndedAt);
        Assert.Equal(days[0].EndedAt, days[1].StartedAt);
        Assert.Single((await ReadAsync<AccountDays>(cluster, "days", "days")).State.Days);
    }

    [Fact]
    public async Task ACrashAfterTheTradeAndPageWritesBeforeTheCoreWrite_LosesNoFill_AndStoresTheTradeOnce()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("trades.db"));
        await Market.QuoteAsync(cluster, "TRC", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "tradecrash", 100_000m);
        await PlaceAndFillAsync(account, "in", "TRC", 1);
        var sell = await account.PlaceOrderAsync(Market.Limit("out", "TRC", OrderSide.Sell, 1m, 11m));
        Assert.Equal(OrderStatus.Accepted, sell.Order!.Status);
        var beforeTheFill = await ReadAsync<AccountState>(cluster, "tradecrash", "account");
        await Market.QuoteAsync(cluster, "TRC", 11m, 11m);
        await Eventually.WaitAsync(() => account.GetOrderAsync(sell.Order.OrderId), o => o?.Status == OrderStatus.Filled, "the closing fill");
        Assert.Single((await ReadAsync<TradesPage>(cluster, "tradecrash", "trades-0")).State.Trades);

        // The crash: the trade and the full history page with the fill are stored, the core record that counts them (and
        // holds the fill in its ledger) is not.
        await RestoreCoreAsync(cluster, "tradecrash", beforeTheFill.State);

        // The page's fill is not taken for applied: reconciliation at activation back-fills it from the venue, which
        // closes the same trade again.
        account = cluster.Account("tradecrash");
        await Eventually.WaitAsync(() => account.GetOrderAsync(sell.Order.OrderId), o => o?.Status == OrderStatus.Filled, "the fill back-filled");
        Assert.Equal(0m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(2, (await account.GetFillsAsync(0, 10)).Count);
        var trades = (await account.GetTradesAsync(new TradeQuery()))!.Trades;
        var trade = Assert.Single(trades);
        Assert.Equal((1L, 10m, 11m, 1m), (trade.Number, trade.EntryPrice, trade.ExitPrice, trade.RealizedPnl));
        Assert.Single((await ReadAsync<TradesPage>(cluster, "tradecrash", "trades-0")).State.Trades);
    }

    [Fact]
    public async Task APositionOpenedBeforeTradesWereKept_ShowsItsOpenTrade_AndTheNextFillsCarryItOn()
    {
        await using var cluster = await TradingCluster.StartAsync(Options("oldtrades.db"));
        await Market.QuoteAsync(cluster, "OTD", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "oldtrades", 100_000m);
        await PlaceAndFillAsync(account, "in", "OTD", 2);

        // The core record as a build from before trades were kept left it: the position, no round trip for it.
        await RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id("oldtrades"), core, TestContext.Current.CancellationToken);
            Assert.Single(core.State.Trades.Open);
            core.State.Trades = new TradeState();
            await storage.WriteStateAsync("account", Id("oldtrades"), core, TestContext.Current.CancellationToken);
        });

        // The open list matches the positions: the position's trade, at its average entry, its entry time unknown.
        account = cluster.Account("oldtrades");
        var position = Assert.Single(await account.GetPositionsAsync());
        var open = Assert.Single((await account.GetTradesAsync(new TradeQuery()))!.Open);
        Assert.Equal(("OTD", true, position.Quantity, position.AverageEntryPrice, (DateTimeOffset?)null), (open.Symbol, open.IsLong, open.Quantity, open.EntryPrice, open.EntryTime));
        Assert.Equal((2m, 10m, 0m, 0m), (open.Quantity, open.EntryPrice, open.RealizedPnl, open.Fees));

        // The next fill adds to that trade rather than starting another, and the exit closes it as one trade of 3.
        await Market.QuoteAsync(cluster, "OTD", 13m, 13m);
        await PlaceAndFillAsync(account, "more", "OTD", 1);
        open = Assert.Single((await account.GetTradesAsync(new TradeQuery()))!.Open);
        Assert.Equal((3m, 11m, (DateTimeOffset?)null), (open.Quantity, open.EntryPrice, open.EntryTime));
        var sell = await account.PlaceOrderAsync(Market.MarketOrder("out", "OTD", OrderSide.Sell, 3m));
        Assert.True(sell.Succeeded, sell.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10_000), f => f.Count == 4, "the closing fill");
        var trades = (await account.GetTradesAsync(new TradeQuery()))!;
        Assert.Empty(trades.Open);
        var trade = Assert.Single(trades.Trades);
        Assert.Equal((1L, 3m, 11m, 13m, 6m, (DateTimeOffset?)null), (trade.Number, trade.Quantity, trade.EntryPrice, trade.ExitPrice, trade.RealizedPnl, trade.EntryTime));
    }

    private TradingClusterOptions Options(string file, int? pageSize = null) => new()
    {
        SqlitePath = _dir.File(file),

        // No signal tick in the window a test looks at: only the writes the test expects happen.
        ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o =>
        {
            o.SignalInterval = TimeSpan.FromMinutes(10);
            o.HistoryPageSize = pageSize ?? o.HistoryPageSize;
        }),
    };

    /// <summary>Places limit buys that rest, each awaited to its acceptance, and cancels each (no fills, no positions).</summary>
    private static async Task PlaceAndCancelAsync(IAccountGrain account, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.Limit($"{prefix}-{i}", "UNC", OrderSide.Buy, 1m, 9.5m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
            await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o is { Status: OrderStatus.Accepted, InFlight: false }, "the acceptance");
            var canceled = await account.CancelOrderAsync(placed.Order!.OrderId);
            Assert.True(canceled.Succeeded, canceled.Denial?.Message);
        }
    }

    private static async Task PlaceAndFillAsync(IAccountGrain account, string prefix, string symbol, int count)
    {
        var fills = (await account.GetFillsAsync(0, 10_000)).Count;
        for (var i = 0; i < count; i++)
        {
            var placed = await account.PlaceOrderAsync(Market.MarketOrder($"{prefix}-{i}", symbol, OrderSide.Buy, 1m));
            Assert.True(placed.Succeeded, placed.Denial?.Message);
        }

        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10_000), f => f.Count == fills + count, $"{count} fills");
    }

    [Fact]
    public async Task ReconcileTick_WritesWhatItFoundAtTheBroker_AndNothingWhenItFoundNothing()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-tick", configureSilo: s => s.Configure<AccountGrainOptions>(o =>
        {
            o.ReconcileInterval = TimeSpan.FromMilliseconds(50);
            o.SignalInterval = TimeSpan.FromMinutes(10);
        }));
        await Market.QuoteAsync(silo.Cluster, "ALPT", 30m, 30m);
        var account = await silo.OpenAsync("alp-tick", 20_000m);
        await silo.WaitForStreamHealthyAsync();
        var placed = await account.PlaceOrderAsync(Market.Limit("alp-tick-1", "ALPT", OrderSide.Buy, 10m, 29m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var brokerOrderId = await Eventually.WaitAsync(
            async () => (await account.GetOrderAsync(placed.Order!.OrderId))?.BrokerOrderId, id => id is not null, "the broker order id");

        // The venue cancels without a trade update: only a reconciliation finds it, and the tick stores what it found.
        silo.Venue.OverrideStatus(brokerOrderId!, "canceled");
        var stored = await Eventually.WaitAsync(() => ReadAsync<AccountState>(silo.Cluster, "alp-tick", "account"),
            s => s.State.WorkingOrders.Count == 0, "the cancel found by the reconcile tick, stored");
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(placed.Order!.OrderId))!.Status);

        // About a dozen ticks more that find nothing write nothing.
        await Task.Delay(TimeSpan.FromMilliseconds(600), TestContext.Current.CancellationToken);
        Assert.Equal(stored.ETag, (await ReadAsync<AccountState>(silo.Cluster, "alp-tick", "account")).ETag);
    }

    /// <summary>
    /// Stops the silos, rewrites stored records through a storage of its own on the cluster's file and deploys again.
    /// With no silo running no activation holds the records: one started by a restart before the rewrite would keep
    /// what it read, and its next write would conflict with the rewrite.
    /// </summary>
    private static async Task RewriteStoredAsync(TradingCluster cluster, Func<IGrainStorage, Task> rewrite)
    {
        var serializer = cluster.Cluster.ServiceProvider.GetRequiredService<IGrainStateSerializer>();
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        using (var database = new SqliteDatabase(new SqliteStorageOptions { DataSource = cluster.Options.SqlitePath }))
        {
            await rewrite(new SqliteGrainStorage(database, serializer));
        }

        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Puts an earlier core record back, as a crash before its next write would have left it.</summary>
    private static Task RestoreCoreAsync(TradingCluster cluster, string accountId, AccountState earlier) =>
        RewriteStoredAsync(cluster, async storage =>
        {
            var core = new GrainState<AccountState>(new AccountState());
            await storage.ReadStateAsync("account", Id(accountId), core, TestContext.Current.CancellationToken);
            core.State = earlier;
            await storage.WriteStateAsync("account", Id(accountId), core, TestContext.Current.CancellationToken);
        });

    private static IGrainStorage Storage(TradingCluster cluster) =>
        cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);

    private static GrainId Id(string accountId) => GrainId.Create(typeof(AccountGrain).FullName!, accountId);

    private static string PageName(long page) => "history-" + page.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<GrainState<T>> ReadAsync<T>(TradingCluster cluster, string accountId, string name)
        where T : new()
    {
        var record = new GrainState<T>(new T());
        await Storage(cluster).ReadStateAsync(name, Id(accountId), record, TestContext.Current.CancellationToken);
        return record;
    }
}
