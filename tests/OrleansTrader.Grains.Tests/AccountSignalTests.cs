using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// After a fill the account calls its breaker only when the domain conditions say a trigger fires; a breach from a fill
/// must still trip at once, not with the signal tick.
/// </summary>
public sealed class AccountSignalTests
{
    [Fact]
    public async Task FillThatBreachesTheDailyLoss_TripsReducing_InTheFillsTurn()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            // No signal tick within the test: only the fill itself can report the breach.
            ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromMinutes(10)),
        });
        await Market.QuoteAsync(cluster, "FBR", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "fill-breach", 100_000m, policy: BreakerPolicy.Default with { DailyLossLimit = 500m });
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("fb-buy", "FBR", OrderSide.Buy, 100m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the buy fill");
        Assert.Equal(TradingState.Active, (await cluster.Breaker("fill-breach").GetStateAsync()).State);

        // Selling at 44 realizes 100 x (44 - 50) = -600, past the 500 limit.
        await Market.QuoteAsync(cluster, "FBR", 44m, 44m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("fb-sell", "FBR", OrderSide.Sell, 100m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 2, "the sell fill");

        var breaker = await cluster.Breaker("fill-breach").GetStateAsync();
        Assert.Equal(TradingState.Reducing, breaker.State);
        Assert.Equal(BreakerTrigger.DailyLoss, breaker.LastTrigger);
        Assert.Equal(TradingState.Reducing, (await account.GetSnapshotAsync())!.TradingState);
    }

    [Fact]
    public async Task Valuation_FollowsEveryMarkChange_AndEveryLedgerChange()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromMinutes(10)),
        });
        await Market.QuoteAsync(cluster, "VAL", 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "valuation", 100_000m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("val-buy", "VAL", OrderSide.Buy, 100m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the buy fill");
        var bought = (await account.GetSnapshotAsync())!;

        // The account values itself once per ledger and marks: a new mark alone must give a new valuation.
        await Market.QuoteAsync(cluster, "VAL", 60m, 60m);
        var marked = (await account.GetSnapshotAsync())!;
        Assert.Equal(bought.Equity + 1_000m, marked.Equity);
        Assert.Equal(1_000m, marked.UnrealizedPnl - bought.UnrealizedPnl);

        // And a new ledger at the same marks: a resting order reserves buying power.
        var resting = await account.PlaceOrderAsync(Market.Limit("val-rest", "VAL", OrderSide.Buy, 10m, 59m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);
        var reserved = (await account.GetSnapshotAsync())!;
        Assert.Equal(marked.Equity, reserved.Equity);
        Assert.True(reserved.BuyingPower < marked.BuyingPower, $"{reserved.BuyingPower} should be below {marked.BuyingPower}");
    }
}
