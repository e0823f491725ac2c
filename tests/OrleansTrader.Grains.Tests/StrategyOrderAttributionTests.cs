using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>A strategy's own positions come from the orders it placed, not from any order whose client order id looks like its own.</summary>
public sealed class StrategyOrderAttributionTests
{
    [Fact]
    public async Task AManualOrder_WithAClientOrderIdShapedLikeTheStrategys_IsNotTheStrategys()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "attr", 100_000m);
        await Market.QuoteAsync(cluster, "ATR", 50m, 50m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("attr", "s1"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["ATR"],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "2", ["slowPeriod"] = "3" },
            Start = true,
        })).Succeeded);

        // Placed through the API (origin "api") under an id of the strategy's form, and filled.
        await AccountSteps.FillAsync(account, Market.MarketOrder("s1-50", "ATR", OrderSide.Buy, 5m), 1);
        Assert.Equal("api", Assert.Single(await account.GetFillsAsync(0, 10)).Origin);

        // A stop and a start catch up on every account event so far within the start's call.
        Assert.True((await strategy.StopAsync()).Succeeded);
        var status = (await strategy.StartAsync()).Status!;
        Assert.Empty(status.Positions);
    }
}
