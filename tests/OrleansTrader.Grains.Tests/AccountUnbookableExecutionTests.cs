using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An execution the account cannot represent (its amounts overflow decimal, or it has no positive quantity and price): no
/// venue sends one, so the account refuses it whole, logs it (5018), trips REDUCING, and the fills stream moves on.
/// </summary>
public sealed class AccountUnbookableExecutionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    // 1e20 x 1e10 overflows in the ledger's notional: the handler threw, the stream retried it MaxDeliveryAttempts times
    // (holding the account's later fills behind it) and dead-lettered it, and nobody was told why.
    [Fact]
    public async Task AnExecutionWhoseNotionalOverflows_IsRefused_TripsReducing_AndLaterFillsApply()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs);
        await Market.QuoteAsync(cluster, "OVF", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "ovf-notional", 100_000m);
        await FillAsync(cluster, account, "ovf-1", "OVF", 10m, 1);

        await PushAsync(cluster, "ovf-notional", Unknown("ovf-x1", "OVF", 100_000_000_000_000_000_000m, 10_000_000_000m));
        await FillAsync(cluster, account, "ovf-2", "OVF", 5m, 2);

        await AssertRefusedAsync(cluster, logs, account, "ovf-notional", "ovf-x1");
        Assert.Equal(15m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(100_000m - 150m, (await account.GetSnapshotAsync())!.Cash);
    }

    // 1e24 x 0.00001 books (1e19 of cash and cost), but the position is then worth 1e24 x 100,000 at the account's mark:
    // the overflow came after the fill was in memory (ledger, fill, execution id), before its write, so every retry found
    // it applied, and the account could no longer be valued (snapshots, risk checks, the signal tick all threw).
    [Fact]
    public async Task AnExecutionWhoseResultCannotBeValued_LeavesNoTrace()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs);
        await Market.QuoteAsync(cluster, "OVV", 100_000m, 100_000m);
        var account = await TestAccounts.OpenAsync(cluster, "ovf-value", 1_000_000m);
        await FillAsync(cluster, account, "ovv-1", "OVV", 1m, 1);

        await PushAsync(cluster, "ovf-value", Unknown("ovv-x1", "OVV", 1_000_000_000_000_000_000_000_000m, 0.00001m));
        await FillAsync(cluster, account, "ovv-2", "OVV", 2m, 2);

        await AssertRefusedAsync(cluster, logs, account, "ovf-value", "ovv-x1");
        Assert.Equal(3m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(1_000_000m - 300_000m, snapshot.Cash);
        Assert.Equal(1_000_000m, snapshot.Equity);
    }

    // A non-positive price (or quantity, or a negative fee) fails the order's own check and then threw in the position's
    // math: the same retries and dead letter.
    [Fact]
    public async Task AnExecutionWithoutAPositivePrice_IsRefused_TripsReducing_AndLaterFillsApply()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs);
        await Market.QuoteAsync(cluster, "OVZ", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "ovf-zero", 100_000m);
        await FillAsync(cluster, account, "ovz-1", "OVZ", 10m, 1);

        await PushAsync(cluster, "ovf-zero", Unknown("ovz-x1", "OVZ", 10m, 0m));
        await FillAsync(cluster, account, "ovz-2", "OVZ", 5m, 2);

        await AssertRefusedAsync(cluster, logs, account, "ovf-zero", "ovz-x1");
        Assert.Equal(15m, Assert.Single(await account.GetPositionsAsync()).Quantity);
    }

    private static Task<TradingCluster> StartAsync(CapturedLogs logs) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo => silo.Services.AddSingleton<ILoggerProvider>(logs),
    });

    private static async Task FillAsync(TradingCluster cluster, IAccountGrain account, string clientOrderId, string symbol, decimal quantity, int fills)
    {
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder(clientOrderId, symbol, OrderSide.Buy, quantity))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100), f => f.Count == fills, $"{fills} fills");
    }

    private static Task PushAsync(TradingCluster cluster, string accountId, ExecutionReport report) =>
        cluster.Cluster.Client.GetStreamProvider(StreamNames.DurableProvider)
            .GetStream<ExecutionReport>(StreamId.Create(StreamNames.Fills, accountId)).OnNextAsync(report);

    /// <summary>A fill report for an order the account never placed (as a venue's report of a foreign order would come).</summary>
    private static ExecutionReport Unknown(string executionId, string symbol, decimal quantity, decimal price)
    {
        var at = TimeProvider.System.GetUtcNow();
        var order = new BrokerOrder
        {
            OrderId = $"venue-{executionId}",
            ClientOrderId = $"foreign-{executionId}",
            Symbol = symbol,
            Side = OrderSide.Buy,
            Type = OrderType.Market,
            TimeInForce = TimeInForce.Day,
            Quantity = quantity,
            Status = OrderStatus.Filled,
            CreatedAt = at,
            UpdatedAt = at,
        };
        var execution = new Execution
        {
            ExecutionId = executionId,
            OrderId = order.OrderId,
            ClientOrderId = order.ClientOrderId,
            Symbol = symbol,
            Side = OrderSide.Buy,
            Quantity = quantity,
            Price = price,
            Timestamp = at,
        };
        return new ExecutionReport(ExecutionReportKind.Fill, order, at, execution);
    }

    private static async Task AssertRefusedAsync(TradingCluster cluster, CapturedLogs logs, IAccountGrain account, string accountId, string executionId)
    {
        var breaker = await Eventually.WaitAsync(() => cluster.Breaker(accountId).GetStateAsync(), b => b.State == TradingState.Reducing, "REDUCING");
        Assert.Contains(executionId, breaker.LastReason, StringComparison.Ordinal);
        var log = ((DurableStreamProvider)cluster.Cluster.Client.GetStreamProvider(StreamNames.DurableProvider)).Log;
        Assert.Empty(await log.ReadDeadLettersAsync(StreamId.Create(StreamNames.Fills, accountId), Ct));
        var refused = Assert.Single(logs.Entries, e => e.EventId.Id == 5018);
        Assert.Equal(LogLevel.Error, refused.Level);
        Assert.Contains(executionId, refused.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await account.GetFillsAsync(0, 100), f => f.ExecutionId == executionId);
    }
}
