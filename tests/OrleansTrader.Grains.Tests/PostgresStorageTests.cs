using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>The account's guarantees on PostgreSQL storage, reminders and fills log (a database per test class).</summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private readonly ThrowawayPostgresDatabase _postgres = new("ot_grains_");

    private string? ConnectionString => _postgres.ConnectionString;

    public ValueTask InitializeAsync() => _postgres.CreateAsync();

    public ValueTask DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task ConcurrentOrdersAndFills_StayExact_AndSurviveRestart_OnPostgres()
    {
        if (ConnectionString is null)
        {
            Assert.Skip(ThrowawayPostgresDatabase.SkipReason);
        }

        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { PostgresConnectionString = ConnectionString });
        await Market.QuoteAsync(cluster, "PGA", 100m, 100.02m);
        var account = await TestAccounts.OpenAsync(cluster, "pg", 100_000m);

        var results = await Task.WhenAll(Enumerable.Range(0, 300)
            .Select(i => account.PlaceOrderAsync(Market.Limit($"pg-{i % 250}", "PGA", OrderSide.Buy, 10m, 99m))));

        Assert.Equal(101, results.Where(r => r.Succeeded).Select(r => r.Order!.OrderId).Distinct().Count());
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(RiskReasonCodes.InsufficientBuyingPower, r.Denial!.ReasonCode));
        Assert.Equal(99_990m, (await account.GetSnapshotAsync())!.Reserved);

        await Market.QuoteAsync(cluster, "PGA", 98m, 98m);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 1000), f => f.Count == 101, "101 fills");
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);

        account = cluster.Account("pg");
        var fills = await account.GetFillsAsync(0, 1000);
        Assert.Equal(101, fills.Count);
        var snapshot = await account.GetSnapshotAsync();
        Assert.Equal(100_000m - fills.Sum(f => f.Quantity * f.Price + f.Fee), snapshot!.Cash);
        Assert.Equal(1010m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(0m, snapshot.Reserved);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AcknowledgedOrdersAndFills_Survive_WhenSiloStopsMidLoad_OnPostgres(bool crash)
    {
        Assert.SkipWhen(ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await StorageScenarios.AcknowledgedOrdersAndFills_SurviveAStopMidLoadAsync(new TradingClusterOptions { PostgresConnectionString = ConnectionString }, crash);
    }

    [Fact]
    public async Task Fills_AreNotDoubleCounted_WhenRedeliveredAfterRestart_OnPostgres()
    {
        Assert.SkipWhen(ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await StorageScenarios.FillsRedeliveredAfterARestart_CountOnceAsync(new TradingClusterOptions { PostgresConnectionString = ConnectionString });
    }

    [Fact]
    public async Task WorkingOrdersAndABracket_SurviveAKill_AndCloseThePositionAfterIt_OnPostgres()
    {
        Assert.SkipWhen(ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { PostgresConnectionString = ConnectionString });
        await Market.QuoteAsync(cluster, "BKC", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "bracket-pg", 100_000m);
        var resting = await account.PlaceOrderAsync(Market.Limit("rest-1", "BKC", OrderSide.Buy, 5m, 19.5m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);
        var restReserved = (await account.GetSnapshotAsync())!.Reserved;
        var entry = Market.AsBracket(Market.MarketOrder("bkc-1", "BKC", OrderSide.Buy, 10m), takeProfit: 21m, stopLoss: 19m);
        var placed = await account.PlaceOrderAsync(entry);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the resting order and the exits working");
        var reserved = (await account.GetSnapshotAsync())!.Reserved;

        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);

        account = cluster.Account("bracket-pg");
        var open = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 3 && o.All(x => !x.InFlight), "the open orders reconciled");
        Assert.Equal(2, open.Count(o => o.ParentOrderId == placed.Order!.OrderId));
        Assert.Contains(open, o => o.ClientOrderId == "rest-1");
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);

        await Market.QuoteAsync(cluster, "BKC", 21m, 21m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the exits ended");
        Assert.Equal(0m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(restReserved, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    [Fact]
    public async Task ARunningStrategy_KeepsItsReminder_AndRunsOnAfterARestart_OnPostgres()
    {
        Assert.SkipWhen(ConnectionString is null, ThrowawayPostgresDatabase.SkipReason);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { PostgresConnectionString = ConnectionString });
        await TestAccounts.OpenAsync(cluster, "strat-pg", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var key = StrategyKey.Create("strat-pg", "sma");
        var created = await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["SYN"],
            BarInterval = TimeSpan.FromSeconds(1),
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "3", ["slowPeriod"] = "8" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        await FeedAsync(cluster, TimeProvider.System.GetUtcNow(), 40);
        var before = await Eventually.WaitAsync(async () => (await cluster.Grains.GetGrain<IStrategyGrain>(key).GetStatusAsync())!, s => s.BarsSeen > 10, "bars before the restart");

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);

        var reminders = await cluster.Cluster.ServiceProvider.GetRequiredService<IReminderTable>().ReadAllRowsAsync(TestContext.Current.CancellationToken);
        Assert.Contains(reminders, r => r.GrainId.Key == key && r.ReminderName == Strategies.StrategyGrain.KeepAliveReminder);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(key);
        Assert.True((await strategy.GetStatusAsync())!.Running);
        await FeedAsync(cluster, TimeProvider.System.GetUtcNow().AddMinutes(5), 40);
        var after = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.BarsSeen > before.BarsSeen + 10, "bars after the restart");
        Assert.True(after.Running);
        Assert.Null(after.LastError);

        // Stopped after the restart: its reminder, read back from the table, goes, and another restart leaves it stopped.
        Assert.True((await strategy.StopAsync()).Succeeded);
        reminders = await cluster.Cluster.ServiceProvider.GetRequiredService<IReminderTable>().ReadAllRowsAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(reminders, r => r.GrainId.Key == key);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        Assert.False((await cluster.Grains.GetGrain<IStrategyGrain>(key).GetStatusAsync())!.Running);
    }

    private static async Task FeedAsync(TradingCluster cluster, DateTimeOffset start, int steps)
    {
        var options = new SyntheticFeedOptions { Seed = 7, Paced = false, MaxSteps = steps, StartTime = start, TickInterval = TimeSpan.FromSeconds(1) };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "SYN", StartPrice = 100m, Volatility = 0.8 });
        var feed = new SyntheticFeed(options, TimeProvider.System, NullLogger.Instance);
        await FeedReplay.RunAsync(cluster, feed.ReadAsync(TestContext.Current.CancellationToken));
    }
}
