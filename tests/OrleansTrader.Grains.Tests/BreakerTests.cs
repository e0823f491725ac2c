using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

public sealed class BreakerTests(MemoryClusterFixture fixture) : IClassFixture<MemoryClusterFixture>
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);

    private TradingCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task DailyLossBreach_TripsReducing_ThenOnlyReducingOrdersPass_AndManualHaltDeniesAllButCancels()
    {
        await Market.QuoteAsync(Cluster, "DLA", 50m, 50m);
        var account = await TestAccounts.OpenAsync(Cluster, "daily-loss", 100_000m, policy: BreakerPolicy.Default with { DailyLossLimit = 500m });
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("dl-buy", "DLA", OrderSide.Buy, 100m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the buy fill");
        var resting = await account.PlaceOrderAsync(Market.Limit("dl-rest", "DLA", OrderSide.Sell, 1m, 54m));
        Assert.True(resting.Succeeded);

        await Market.QuoteAsync(Cluster, "DLA", 44m, 44m);
        var snapshot = await account.RefreshAsync();

        // Day P&L is 100 x (44 - 50) = -600, past the 500 limit: REDUCING, so the position can still be cut.
        Assert.Equal(-600m, snapshot!.DayPnl);
        Assert.Equal(TradingState.Reducing, snapshot.TradingState);
        var audit = await Cluster.Breaker("daily-loss").GetAuditAsync(10);
        Assert.Equal(BreakerTrigger.DailyLoss, Assert.Single(audit).Transition.Trigger);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
            (await account.PlaceOrderAsync(Market.MarketOrder("dl-more", "DLA", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("dl-cut", "DLA", OrderSide.Sell, 10m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountPosition>>(account.GetPositionsAsync, p => p.Single().Quantity == 90m, "the cut position");

        // A risk officer halts the account by hand: now every order is denied, a cancel still goes through.
        Assert.True((await Cluster.Breaker("daily-loss").TripAsync(TradingState.Halted, RiskOfficer, "stop for the day")).Succeeded);
        await Eventually.WaitAsync(async () => (await account.GetSnapshotAsync())!.TradingState, s => s == TradingState.Halted, "the halt to reach the account");
        Assert.Equal(RiskReasonCodes.TradingHalted, (await account.PlaceOrderAsync(Market.MarketOrder("dl-2", "DLA", OrderSide.Sell, 10m))).Denial?.ReasonCode);
        Assert.Equal(RiskReasonCodes.TradingHalted, (await account.PlaceOrderAsync(Market.MarketOrder("dl-3", "DLA", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        var cancel = await account.CancelOrderAsync(resting.Order!.OrderId);
        Assert.True(cancel.Succeeded);
        Assert.Equal(OrderStatus.Canceled, cancel.Order!.Status);

        var refused = await Cluster.Breaker("daily-loss").ResetAsync(TradingState.Active, Trader, "try", force: false);
        Assert.Equal(BreakerErrorCodes.RiskRoleRequired, refused.ErrorCode);
        var stillHolds = await Cluster.Breaker("daily-loss").ResetAsync(TradingState.Active, RiskOfficer, "loss reviewed", force: false);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, stillHolds.ErrorCode);
    }

    [Fact]
    public async Task Reducing_AllowsOnlyPositionReducingOrders()
    {
        await Market.QuoteAsync(Cluster, "RDA", 30m, 30m);
        var account = await TestAccounts.OpenAsync(Cluster, "reducing", 100_000m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("rd-buy", "RDA", OrderSide.Buy, 50m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the buy fill");

        var trip = await Cluster.Breaker("reducing").TripAsync(TradingState.Reducing, Trader, "manual reduce");
        Assert.True(trip.Succeeded);

        var increase = await account.PlaceOrderAsync(Market.MarketOrder("rd-more", "RDA", OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, increase.Denial?.ReasonCode);
        var flip = await account.PlaceOrderAsync(Market.MarketOrder("rd-flip", "RDA", OrderSide.Sell, 60m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, flip.Denial?.ReasonCode);
        Assert.Equal(50m, flip.Denial!.MaxQuantity);
        var reduce = await account.PlaceOrderAsync(Market.MarketOrder("rd-less", "RDA", OrderSide.Sell, 20m));
        Assert.True(reduce.Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountPosition>>(account.GetPositionsAsync, p => p.Single().Quantity == 30m, "the reduced position");
        var events = await account.GetEventsAsync(0, 1000);
        Assert.Contains(events.Events, e => e.Kind == AccountEventKind.BreakerChanged && e.Breaker!.State == TradingState.Reducing);
    }

    [Fact]
    public async Task GlobalKillSwitch_HaltsEveryAccount_UntilResetByRiskRole()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "GKA", 10m, 10m);
        var first = await TestAccounts.OpenAsync(cluster, "kill-1", 10_000m);
        var second = await TestAccounts.OpenAsync(cluster, "kill-2", 10_000m);

        var trip = await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Halted, Trader, "kill switch");
        Assert.True(trip.Succeeded);

        Assert.Equal(RiskReasonCodes.TradingHalted, (await first.PlaceOrderAsync(Market.MarketOrder("k1", "GKA", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        Assert.Equal(RiskReasonCodes.TradingHalted, (await second.PlaceOrderAsync(Market.MarketOrder("k2", "GKA", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        Assert.Equal(TradingState.Halted, (await second.GetSnapshotAsync())!.GlobalBreakerState);

        var reset = await cluster.Breaker(BreakerKeys.Global).ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false);
        Assert.True(reset.Succeeded);
        Assert.True((await first.PlaceOrderAsync(Market.MarketOrder("k3", "GKA", OrderSide.Buy, 1m))).Succeeded);
        var audit = await cluster.Breaker(BreakerKeys.Global).GetAuditAsync(10);
        Assert.Equal([BreakerTrigger.Reset, BreakerTrigger.Manual], audit.Select(a => a.Transition.Trigger));
        Assert.Equal("risk-officer", audit[0].Transition.Actor);

        // Pages go oldest first, after a version, as a reader follows them.
        var page = (await cluster.Breaker(BreakerKeys.Global).GetAuditPageAsync(0, 10)).Entries;
        Assert.Equal([BreakerTrigger.Manual, BreakerTrigger.Reset], page.Select(a => a.Transition.Trigger));
        Assert.Equal([BreakerTrigger.Reset], (await cluster.Breaker(BreakerKeys.Global).GetAuditPageAsync(page[0].Version, 10)).Entries.Select(a => a.Transition.Trigger));
        Assert.Single((await cluster.Breaker(BreakerKeys.Global).GetAuditPageAsync(0, 1)).Entries);
    }

    /// <summary>
    /// A breaker policy changed on an open account is judged at once: a daily loss limit lowered below today's loss trips
    /// REDUCING before the change is answered, and the account's own copy follows; an invalid one changes nothing.
    /// </summary>
    [Fact]
    public async Task SetBreakerPolicy_BelowTodaysLoss_TripsAtOnce_AndIsKept()
    {
        await Market.QuoteAsync(Cluster, "BPN", 50m, 50m);
        var account = await TestAccounts.OpenAsync(Cluster, "policy-now", 100_000m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("bpn-buy", "BPN", OrderSide.Buy, 100m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the buy fill");
        await Market.QuoteAsync(Cluster, "BPN", 48m, 48m);
        Assert.Equal(TradingState.Active, (await account.RefreshAsync())!.TradingState);

        var policy = BreakerPolicy.Default with { DailyLossLimit = 150m };
        Assert.True((await account.SetBreakerPolicyAsync(policy)).Succeeded);

        // Day P&L is 100 x (48 - 50) = -200, past the new 150: tripped by the change itself, not a later signal tick.
        Assert.Equal(TradingState.Reducing, (await Cluster.Breaker("policy-now").GetStateAsync()).State);
        var transition = Assert.Single((await Cluster.Breaker("policy-now").GetAuditPageAsync(0, 10)).Entries).Transition;
        Assert.Equal(BreakerTrigger.DailyLoss, transition.Trigger);
        Assert.Equal(150m, transition.Values["dailyLossLimit"]);
        Assert.Equal(policy, await account.GetBreakerPolicyAsync());
        Assert.Equal(policy, await Cluster.Breaker("policy-now").GetPolicyAsync());
        Assert.Null(await Cluster.Account("policy-never-opened").GetBreakerPolicyAsync());
        Assert.Equal(BreakerErrorCodes.PolicyInvalid, (await account.SetBreakerPolicyAsync(policy with { MaxDrawdownPercent = 0m })).ErrorCode);
        Assert.Equal(policy, await account.GetBreakerPolicyAsync());
    }

    [Fact]
    public async Task BrokerErrorRate_CountsEveryCallInTheWindow_HoweverMany()
    {
        var time = new FakeTimeProvider();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var breaker = cluster.Breaker("busy-broker");
        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(30));

        // 20,000 calls over 20 seconds, a quarter of them failed: under the default policy's half.
        var calm = Enumerable.Range(0, 20_000).Select(i => new BrokerOutcome(start.AddMilliseconds(i), IsError: i % 4 == 0)).ToList();
        Assert.Equal(TradingState.Active, (await breaker.ReportBrokerOutcomesAsync(calm)).State);

        // 20,000 failures more: 25,000 of 40,000 calls in the window. Kept one entry per call and capped at 10,000, the
        // window held only these failures and reported 10,000 of 10,000.
        var failing = Enumerable.Range(0, 20_000).Select(i => new BrokerOutcome(start.AddSeconds(20).AddMilliseconds(i / 2), IsError: true)).ToList();
        var tripped = await breaker.ReportBrokerOutcomesAsync(failing);

        Assert.Equal(TradingState.Halted, tripped.State);
        Assert.Equal(BreakerTrigger.BrokerErrorRate, tripped.LastTrigger);
        Assert.Contains("25000 of 40000 broker calls failed", tripped.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleMarketData_TripsReducing()
    {
        var time = new FakeTimeProvider();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        await Market.QuoteAsync(cluster, "STA", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "stale", 10_000m);
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);

        time.Advance(TimeSpan.FromSeconds(61));
        var evaluated = await global.EvaluateAsync();

        Assert.Equal(TradingState.Reducing, evaluated.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
        Assert.Equal(TradingState.Reducing, (await account.GetSnapshotAsync())!.TradingState);
        await Market.QuoteAsync(cluster, "STA", 10m, 10m);
        var denied = await account.PlaceOrderAsync(Market.MarketOrder("st-1", "STA", OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, denied.Denial?.ReasonCode);
    }
}
