using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers.Alpaca;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>A one-silo cluster configured with Alpaca keys, its REST and stream hosts pointed at a fake Alpaca on loopback.</summary>
public sealed class AlpacaSilo : IAsyncDisposable
{
    private AlpacaSilo(FakeAlpacaServer venue, TradingCluster cluster)
    {
        Venue = venue;
        Cluster = cluster;
    }

    public FakeAlpacaServer Venue { get; }

    public TradingCluster Cluster { get; }

    internal AlpacaBrokerHealth Health => Cluster.Cluster.ServiceProvider.GetRequiredService<AlpacaBrokerHealth>();

    /// <summary>Settings a test silo uses: fast reconnects and retries, a circuit that opens after a handful of failures.</summary>
    public static Dictionary<string, string?> Settings(FakeAlpacaServer venue, string accountId) => new()
    {
        ["Alpaca:KeyId"] = FakeAlpacaServer.KeyId,
        ["Alpaca:SecretKey"] = FakeAlpacaServer.SecretKey,
        ["Alpaca:AccountId"] = accountId,
        ["Alpaca:TradingBaseUrl"] = venue.BaseUrl.ToString(),
        ["Alpaca:StreamUrl"] = venue.StreamUrl.ToString(),
        ["Alpaca:RequestTimeout"] = "00:00:10",
        ["Alpaca:RetryBaseDelay"] = "00:00:00.010",
        ["Alpaca:ReconnectBaseDelay"] = "00:00:00.050",
        ["Alpaca:ReconnectMaxDelay"] = "00:00:00.200",
        ["Alpaca:StreamHandshakeTimeout"] = "00:00:05",
        ["Alpaca:CircuitMinimumThroughput"] = "4",
        ["Alpaca:CircuitBreakDuration"] = "00:00:00.500",
    };

    public static async Task<AlpacaSilo> StartAsync(
        string accountId, IReadOnlyDictionary<string, string?>? overrides = null, string? sqlitePath = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var venue = await FakeAlpacaServer.StartAsync();
        try
        {
            var settings = Settings(venue, accountId);
            foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            var cluster = await StartClusterAsync(settings, sqlitePath, configureSilo);
            return new AlpacaSilo(venue, cluster);
        }
        catch
        {
            await venue.DisposeAsync();
            throw;
        }
    }

    public static Task<TradingCluster> StartClusterAsync(
        IReadOnlyDictionary<string, string?> settings, string? sqlitePath = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = sqlitePath,
            ConfigureSilo = silo =>
            {
                silo.AddAlpacaTrading(configuration);
                configureSilo?.Invoke(silo);
            },
        });
    }

    /// <summary>Opens the account on "alpaca", by default with a breaker policy whose error-rate trigger cannot fire.</summary>
    public async Task<IAccountGrain> OpenAsync(string accountId, decimal cash, BreakerPolicy? breakerPolicy = null)
    {
        var account = Cluster.Account(accountId);
        var opened = await account.OpenAsync(new OpenAccount
        {
            Cash = cash,
            Broker = BrokerNames.Alpaca,
            RiskLimits = TestAccounts.Loose,
            BreakerPolicy = breakerPolicy ?? BreakerPolicy.Default with { MinErrorSamples = 1_000_000 },
        });
        Assert.True(opened.Succeeded, opened.Message);
        return account;
    }

    public async Task WaitForStreamHealthyAsync() =>
        await Eventually.WaitAsync(() => Task.FromResult(Health.StreamHealthy), h => h == true, "the trade_updates stream to be healthy");

    public async Task<HealthReportEntry> LinkHealthAsync()
    {
        var report = await Cluster.Cluster.ServiceProvider.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == AlpacaSiloBuilderExtensions.HealthCheckName, TestContext.Current.CancellationToken);
        return report.Entries[AlpacaSiloBuilderExtensions.HealthCheckName];
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Venue.DisposeAsync();
    }
}
