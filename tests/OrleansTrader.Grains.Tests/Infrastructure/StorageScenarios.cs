using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>The durability scenarios every storage must pass (SQLite in DurabilityTests, PostgreSQL in PostgresStorageTests).</summary>
internal static class StorageScenarios
{
    /// <summary>The whole fills stream appended again after a restart: the account still counts each fill once.</summary>
    public static async Task FillsRedeliveredAfterARestart_CountOnceAsync(TradingClusterOptions options)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TradingCluster.StartAsync(options);
        await Market.QuoteAsync(cluster, "RDL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "redeliver", 100_000m);
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"rd-{i}", "RDL", OrderSide.Buy, 7m))).Succeeded);
        }

        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 1000), f => f.Count == 20, "20 fills");

        await cluster.Cluster.RestartSiloAsync(ct);
        var log = cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IDurableStreamLog>("durable-log");
        var stream = StreamId.Create(StreamNames.Fills, "redeliver");
        var stored = await log.ReadStreamAsync(stream, 0, 10_000, ct);
        Assert.NotEmpty(stored);
        await log.AppendAsync(stream, [.. stored.Select(e => e.Payload)], TimeProvider.System.GetUtcNow(), ct);
        account = cluster.Account("redeliver");
        var consumer = GrainId.Create(typeof(Accounts.AccountGrain).FullName!, "redeliver").ToString();
        await Eventually.WaitAsync(() => log.GetCheckpointAsync(stream, consumer, ct),
            c => c >= stored[^1].Sequence + stored.Count, $"the account to consume {stored.Count * 2} reports");

        Assert.Equal(20, (await account.GetFillsAsync(0, 1000)).Count);
        Assert.Equal(140m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(100_000m - 1_400m, (await account.GetSnapshotAsync())!.Cash);
    }

    /// <summary>
    /// Eight writers place orders and the silo stops (or is killed) under them: after the restart every acknowledged order
    /// is there, the fills are the venue's executions one to one, and positions are the sum of the fills.
    /// </summary>
    public static async Task AcknowledgedOrdersAndFills_SurviveAStopMidLoadAsync(TradingClusterOptions options, bool crash)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TradingCluster.StartAsync(options);
        await Market.QuoteAsync(cluster, "MLA", 10m, 10m);
        await Market.QuoteAsync(cluster, "MLB", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "midload", 1_000_000m);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<AccountOrder>();
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                if (w == 0 && i == 25)
                {
                    stop.TrySetResult();
                }

                try
                {
                    var symbol = i % 2 == 0 ? "MLA" : "MLB";
                    var side = i % 3 == 0 ? OrderSide.Sell : OrderSide.Buy;
                    var result = await account.PlaceOrderAsync(Market.MarketOrder($"ml-{w}-{i}", symbol, side, 1m + (i % 5)));
                    if (result.Succeeded)
                    {
                        acknowledged.Add(result.Order!);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    return;
                }
            }
        })).ToArray();
        await stop.Task;
        if (crash)
        {
            await cluster.Cluster.KillSiloAsync(ct);
        }
        else
        {
            await cluster.Cluster.StopAllSilosAsync(ct);
        }

        await Task.WhenAll(workers);
        Assert.NotEmpty(acknowledged);

        await cluster.Cluster.DeployAsync(ct);
        account = cluster.Account("midload");
        var report = await account.ReconcileAsync();
        foreach (var order in acknowledged)
        {
            var stored = await account.GetOrderAsync(order.OrderId);
            Assert.NotNull(stored);
            Assert.Equal(order.ClientOrderId, stored.ClientOrderId);
        }

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("midload");
        var venueExecutions = await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, ct);
        var fills = await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100_000),
            f => f.Count == venueExecutions.Count, $"{venueExecutions.Count} fills");
        Assert.Equal(venueExecutions.Select(e => e.ExecutionId).Order(), fills.Select(f => f.ExecutionId).Order());
        var positions = await account.GetPositionsAsync();
        foreach (var symbol in new[] { "MLA", "MLB" })
        {
            var fromFills = fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
            Assert.Equal(fromFills, positions.SingleOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m);
        }

        var venuePositions = await venue.GetPositionsAsync(ct);
        foreach (var position in venuePositions.Where(p => p.Quantity != 0m))
        {
            Assert.Equal(position.Quantity, positions.Single(p => p.Symbol == position.Symbol).Quantity);
        }

        Assert.Empty(report.Mismatches);
    }
}
