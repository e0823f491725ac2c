using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Fills_AreNotDoubleCounted_WhenRedeliveredAfterRestart()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqlitePath = _dir.File("redeliver.db") });
        await Market.QuoteAsync(cluster, "RDL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "redeliver", 100_000m);
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"rd-{i}", "RDL", OrderSide.Buy, 7m))).Succeeded);
        }

        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 1000), f => f.Count == 20, "20 fills");

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var log = cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IDurableStreamLog>("durable-log");
        var stream = StreamId.Create(StreamNames.Fills, "redeliver");
        var stored = await log.ReadStreamAsync(stream, 0, 10_000, TestContext.Current.CancellationToken);
        Assert.NotEmpty(stored);
        await log.AppendAsync(stream, [.. stored.Select(e => e.Payload)], TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken);
        account = cluster.Account("redeliver");
        var redelivered = stored.Count * 2;
        await Eventually.WaitAsync(async () => (await log.GetCheckpointAsync(stream, ConsumerId("redeliver"), TestContext.Current.CancellationToken)),
            c => c >= stored[^1].Sequence + stored.Count, $"the account to consume {redelivered} reports");

        var fills = await account.GetFillsAsync(0, 1000);
        Assert.Equal(20, fills.Count);
        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(140m, position.Quantity);
        Assert.Equal(100_000m - 1_400m, (await account.GetSnapshotAsync())!.Cash);
    }

    [Fact]
    public async Task AcknowledgedOrdersAndFills_Survive_WhenSiloStopsMidLoad()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqlitePath = _dir.File("midload.db") });
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
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(workers);
        Assert.NotEmpty(acknowledged);

        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("midload");
        var report = await account.ReconcileAsync();
        foreach (var order in acknowledged)
        {
            var stored = await account.GetOrderAsync(order.OrderId);
            Assert.NotNull(stored);
            Assert.Equal(order.ClientOrderId, stored.ClientOrderId);
        }

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("midload");
        var venueExecutions = await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, TestContext.Current.CancellationToken);
        var fills = await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100_000),
            f => f.Count == venueExecutions.Count, $"{venueExecutions.Count} fills");
        Assert.Equal(venueExecutions.Select(e => e.ExecutionId).Order(), fills.Select(f => f.ExecutionId).Order());
        var positions = await account.GetPositionsAsync();
        foreach (var symbol in new[] { "MLA", "MLB" })
        {
            var fromFills = fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
            Assert.Equal(fromFills, positions.SingleOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m);
        }

        var venuePositions = await venue.GetPositionsAsync(TestContext.Current.CancellationToken);
        foreach (var position in venuePositions.Where(p => p.Quantity != 0m))
        {
            Assert.Equal(position.Quantity, positions.Single(p => p.Symbol == position.Symbol).Quantity);
        }

        Assert.Empty(report.Mismatches);
    }

    private static string ConsumerId(string accountId) => GrainId.Create(typeof(Accounts.AccountGrain).FullName!, accountId).ToString();
}
