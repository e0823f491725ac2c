using Npgsql;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>The account's guarantees on PostgreSQL storage, reminders and fills log (a database per test class).</summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private readonly string? _admin = Environment.GetEnvironmentVariable("ORLEANSTRADER_TEST_POSTGRES");
    private readonly string _database = "ot_grains_" + Guid.NewGuid().ToString("N")[..12];
    private string? _connectionString;

    public async ValueTask InitializeAsync()
    {
        if (_admin is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
        await command.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task ConcurrentOrdersAndFills_StayExact_AndSurviveRestart_OnPostgres()
    {
        if (_connectionString is null)
        {
            Assert.Skip("ORLEANSTRADER_TEST_POSTGRES is not set; PostgreSQL storage tests skipped.");
        }

        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { PostgresConnectionString = _connectionString });
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
}
