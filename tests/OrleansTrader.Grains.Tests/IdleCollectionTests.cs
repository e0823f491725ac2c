using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An account nobody uses is collected after the collection age (15 minutes), and what it kept busy follows: its signal
/// tick calls its breaker, the global breaker and the symbols it holds every second, so those are idle from the account's
/// collection on and go one collection age later. A silo holding thousands of accounts keeps in memory only those in use.
/// </summary>
public sealed class IdleCollectionTests
{
    private static bool IsActive(TradingCluster cluster, IAddressable grain) => cluster.Cluster.ActiveGrains().Contains(grain.GetGrainId());

    [Fact]
    public async Task AnIdleAccountWithAPosition_IsCollected_WithItsBreaker()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "idle", 10_000m);
        await Market.QuoteAsync(cluster, "IDC", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("idle-buy", "IDC", OrderSide.Buy, 10m), 1);
        Assert.True(IsActive(cluster, account));
        Assert.True(IsActive(cluster, cluster.Breaker("idle")));

        await IdleAsync(time, TimeSpan.FromMinutes(17));
        Assert.False(IsActive(cluster, account));
        Assert.True(IsActive(cluster, cluster.Breaker("idle")));

        await IdleAsync(time, TimeSpan.FromMinutes(16));
        Assert.Empty(cluster.Cluster.ActiveGrains());
    }
}
