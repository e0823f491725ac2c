using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Abstractions.Storage;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The backup the silo takes of its own SQLite files while orders fill (POST /api/backups): each one, restored alone,
/// starts a silo whose account agrees with the paper venue and with its own fills.
/// </summary>
public sealed class SqliteDataBackupTests : IDisposable
{
    private const decimal InitialCash = 1_000_000m;

    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task BackupsTakenWhileOrdersFill_EachRestoresToBooksThatAgreeWithTheVenue()
    {
        var live = _dir.File("live");
        var backup = new SqliteDataBackup(SqliteDataFiles.In(live), _dir.File("backups"), TimeProvider.System);
        var backups = new List<DataBackupResult>();
        await using (var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqliteDataDirectory = live }))
        {
            await Market.QuoteAsync(cluster, "BKA", 10m, 10m);
            await Market.QuoteAsync(cluster, "BKB", 20m, 20m);
            var account = await TestAccounts.OpenAsync(cluster, "backup", InitialCash);
            using var stop = new CancellationTokenSource();
            var placed = 0;
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    // Market orders both ways, and buy limits that rest until the moving quote below reaches them.
                    var order = i % 4 == 3
                        ? Market.Limit($"bk-{w}-{i}", "BKA", OrderSide.Buy, 1m, 9.9m)
                        : Market.MarketOrder($"bk-{w}-{i}", i % 2 == 0 ? "BKA" : "BKB", i % 3 == 0 ? OrderSide.Sell : OrderSide.Buy, 1m + (i % 5));
                    await account.PlaceOrderAsync(order);
                    Interlocked.Increment(ref placed);
                }
            }, Ct)).ToList();
            var quotes = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    await (i % 8 == 0 ? Market.QuoteAsync(cluster, "BKA", 9.8m, 9.85m) : Market.QuoteAsync(cluster, "BKA", 10m, 10.05m));
                }
            }, Ct);

            for (var b = 1; b <= 3; b++)
            {
                var target = 150 * b;
                await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref placed)), n => n >= target, $"{target} orders placed");
                backups.Add(await backup.BackupAsync(Ct));
            }

            await stop.CancelAsync();
            await Task.WhenAll([.. workers, quotes]);
        }

        Assert.Equal(3, backups.Count);
        for (var b = 0; b < backups.Count; b++)
        {
            Assert.Equal([SqliteDataFiles.StreamLogFileName, SqliteDataFiles.StateFileName], backups[b].Files.Select(f => f.Name));
            Assert.All(backups[b].Files, f => Assert.False(File.Exists(Path.Combine(backups[b].Directory, f.Name + "-wal"))));
            await AssertRestoresConsistentlyAsync(backups[b], _dir.File($"restored-{b}"));
        }
    }

    private static async Task AssertRestoresConsistentlyAsync(DataBackupResult backup, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in backup.Files)
        {
            File.Copy(Path.Combine(backup.Directory, file.Name), Path.Combine(directory, file.Name));
        }

        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqliteDataDirectory = directory });
        var account = cluster.Account("backup");
        var report = await account.ReconcileAsync();
        Assert.Empty(report.Mismatches);

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("backup");
        var executions = await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, Ct);
        Assert.NotEmpty(executions);
        var fills = await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100_000),
            f => f.Count == executions.Count, $"{executions.Count} fills in {backup.Directory}");
        Assert.Equal(executions.Select(e => e.ExecutionId).Order(), fills.Select(f => f.ExecutionId).Order());

        var positions = await account.GetPositionsAsync();
        foreach (var symbol in new[] { "BKA", "BKB" })
        {
            var fromFills = fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
            Assert.Equal(fromFills, positions.SingleOrDefault(p => p.Symbol == symbol)?.Quantity ?? 0m);
        }

        foreach (var position in await venue.GetPositionsAsync(Ct))
        {
            Assert.Equal(position.Quantity, positions.SingleOrDefault(p => p.Symbol == position.Symbol)?.Quantity ?? 0m);
        }

        var cashFromFills = InitialCash - fills.Sum(f => (f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity) * f.Price + f.Fee);
        Assert.Equal(cashFromFills, (await account.GetSnapshotAsync())!.Cash);

        // The venue's resting orders are the account's working ones; an order the account had in flight, not yet at the
        // venue when the backup was taken, stays in flight until InFlightGrace and is not compared.
        var working = await account.GetOrdersAsync(OrderStatusFilter.Open, 500, null);
        var resting = await venue.ListOpenOrdersAsync(Ct);
        Assert.Equal(
            working.Where(o => !o.InFlight).Select(o => o.ClientOrderId).Order(),
            resting.Select(o => o.ClientOrderId).Order());
    }
}
