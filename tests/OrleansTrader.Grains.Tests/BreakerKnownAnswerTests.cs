using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The breaker's triggers and admissions against answers worked out from docs/domain.md ("Circuit breaker", "Pre-trade
/// risk") and docs/grains.md ("Breakers") alone: each threshold from both sides, to the cent and the tick, through the
/// account and the breaker grains.
/// </summary>
public sealed class BreakerKnownAnswerTests : IDisposable
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Day P&L <= -DailyLossLimit ($5,000) trips REDUCING: one share bought at $10,000 and marked at $5,000.01 is a day
    // P&L of -$4,999.99 (ACTIVE); at $5,000.00 it is -$5,000.00, at the limit (REDUCING, trigger DailyLoss, actor system).
    [Fact]
    public async Task DailyLoss_TripsReducing_AtTheLimitExactly_NotACentBefore()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "ka-daily", 100_000m);
        await Market.QuoteAsync(cluster, "KAD", 10_000m, 10_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kad-buy", "KAD", OrderSide.Buy, 1m), 1);

        await Market.QuoteAsync(cluster, "KAD", 5_000.01m, 5_000.01m);
        var before = (await account.RefreshAsync())!;
        Assert.Equal(-4_999.99m, before.DayPnl);
        Assert.Equal(TradingState.Active, before.TradingState);
        Assert.Empty(await cluster.Breaker("ka-daily").GetAuditAsync(10));

        await Market.QuoteAsync(cluster, "KAD", 5_000m, 5_000m);
        var at = (await account.RefreshAsync())!;
        Assert.Equal(-5_000m, at.DayPnl);
        Assert.Equal(TradingState.Reducing, at.TradingState);
        Assert.Equal(TradingState.Reducing, at.AccountBreakerState);
        Assert.Equal(TradingState.Active, at.GlobalBreakerState);
        var transition = Assert.Single(await cluster.Breaker("ka-daily").GetAuditAsync(10)).Transition;
        Assert.Equal((TradingState.Active, TradingState.Reducing, BreakerTrigger.DailyLoss, "system", false),
            (transition.From, transition.To, transition.Trigger, transition.Actor, transition.Forced));
        Assert.Equal(-5_000m, transition.Values["dayPnl"]);
        Assert.Equal(5_000m, transition.Values["dailyLossLimit"]);

        // A reset is refused while the loss holds, and a forced one records the values it overrode.
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, (await cluster.Breaker("ka-daily").ResetAsync(TradingState.Active, RiskOfficer, "reviewed", force: false)).ErrorCode);
        var forced = await cluster.Breaker("ka-daily").ResetAsync(TradingState.Active, RiskOfficer, "reviewed, keep cutting", force: true);
        Assert.True(forced.Succeeded, forced.Message);
        var reset = (await cluster.Breaker("ka-daily").GetAuditAsync(1))[0].Transition;
        Assert.Equal((TradingState.Reducing, TradingState.Active, BreakerTrigger.Reset, "risk-officer", "reviewed, keep cutting", true),
            (reset.From, reset.To, reset.Trigger, reset.Actor, reset.Reason, reset.Forced));
        Assert.Equal(-5_000m, reset.Values["DailyLoss.dayPnl"]);
    }

    // (HWM - equity) / HWM >= 10% trips HALTED. The mark lifts the high-water mark to $105,000 (a quote, no fill); equity
    // $94,500.01 is 9.99999...% below it (ACTIVE), $94,500.00 exactly 10% (HALTED, trigger Drawdown). The daily loss limit
    // is out of the way, so the drawdown alone is judged.
    [Fact]
    public async Task Drawdown_TripsHalted_AtTenPercentBelowTheHighWaterMarkExactly_NotACentBefore()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "ka-drawdown", 100_000m,
            policy: BreakerPolicy.Default with { DailyLossLimit = 1_000_000m });
        await Market.QuoteAsync(cluster, "KAW", 20_000m, 20_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kaw-buy", "KAW", OrderSide.Buy, 1m), 1);
        await Market.QuoteAsync(cluster, "KAW", 25_000m, 25_000m);
        Assert.Equal(105_000m, (await account.RefreshAsync())!.HighWaterMark);

        await Market.QuoteAsync(cluster, "KAW", 14_500.01m, 14_500.01m);
        var before = (await account.RefreshAsync())!;
        Assert.Equal(94_500.01m, before.Equity);
        Assert.Equal(TradingState.Active, before.TradingState);

        await Market.QuoteAsync(cluster, "KAW", 14_500m, 14_500m);
        var at = (await account.RefreshAsync())!;
        Assert.Equal(TradingState.Halted, at.TradingState);
        var transition = Assert.Single(await cluster.Breaker("ka-drawdown").GetAuditAsync(10)).Transition;
        Assert.Equal((TradingState.Active, TradingState.Halted, BreakerTrigger.Drawdown), (transition.From, transition.To, transition.Trigger));
        Assert.Equal(10m, transition.Values["drawdownPercent"]);
        Assert.Equal(105_000m, transition.Values["highWaterMark"]);
        Assert.Equal(94_500m, transition.Values["equity"]);
        Assert.Equal(RiskReasonCodes.TradingHalted,
            (await account.PlaceOrderAsync(Market.MarketOrder("kaw-sell", "KAW", OrderSide.Sell, 1m))).Denial?.ReasonCode);
    }

    // Errors / calls in the window >= 0.5 with at least 10 calls trips HALTED: 4 of 10 failed stays ACTIVE, 9 of 9 failed
    // too (fewer than 10 calls), 5 of 10 trips.
    [Fact]
    public async Task BrokerErrorRate_TripsHalted_AtHalfOfTenCalls_NotBelowEitherBound()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(20));
        static List<BrokerOutcome> Calls(DateTimeOffset from, int calls, int errors) =>
            [.. Enumerable.Range(0, calls).Select(i => new BrokerOutcome(from.AddSeconds(i), IsError: i < errors))];

        Assert.Equal(TradingState.Active, (await cluster.Breaker("ka-errors-4").ReportBrokerOutcomesAsync(Calls(start, 10, 4))).State);
        Assert.Equal(TradingState.Active, (await cluster.Breaker("ka-errors-9").ReportBrokerOutcomesAsync(Calls(start, 9, 9))).State);

        var breaker = cluster.Breaker("ka-errors-5");
        Assert.Equal(TradingState.Active, (await breaker.ReportBrokerOutcomesAsync(Calls(start, 9, 5))).State);
        var tripped = await breaker.ReportBrokerOutcomesAsync(Calls(start.AddSeconds(9), 1, 0));
        Assert.Equal(TradingState.Halted, tripped.State);
        Assert.Equal(BreakerTrigger.BrokerErrorRate, tripped.LastTrigger);
        Assert.Contains("5 of 10 broker calls failed", tripped.LastReason, StringComparison.Ordinal);
    }

    // now - last market data > 60 s trips REDUCING (the global breaker: every account): 60 s exactly is not stale, a tick
    // more is.
    [Fact]
    public async Task StaleMarketData_TripsReducing_JustPastSixtySeconds_NotAtSixty()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        await Market.QuoteAsync(cluster, "KAS", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "ka-stale", 10_000m);
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);

        time.Advance(TimeSpan.FromTicks(1));
        var tripped = await global.EvaluateAsync();
        Assert.Equal(TradingState.Reducing, tripped.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, tripped.LastTrigger);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((TradingState.Reducing, TradingState.Active, TradingState.Reducing),
            (snapshot.TradingState, snapshot.AccountBreakerState, snapshot.GlobalBreakerState));

        // Refused while the feed stays silent; once it reports again the reset goes through.
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, (await global.ResetAsync(TradingState.Active, RiskOfficer, "feed back?", force: false)).ErrorCode);
        await global.ReportMarketDataAsync(time.GetUtcNow());
        Assert.True((await global.ResetAsync(TradingState.Active, RiskOfficer, "feed back", force: false)).Succeeded);
    }

    // Manual trips and resets: a trip needs a reason and must raise severity (any actor); a reset needs the risk role and a
    // reason and must lower severity. Each transition is audited with its actor and reason.
    [Fact]
    public async Task ManualTripsAndResets_FollowTheDocumentedRules_AndAreAudited()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await TestAccounts.OpenAsync(cluster, "ka-manual", 10_000m);
        var breaker = cluster.Breaker("ka-manual");

        Assert.Equal(BreakerErrorCodes.ReasonRequired, (await breaker.TripAsync(TradingState.Halted, Trader, "  ")).ErrorCode);
        Assert.Equal(BreakerErrorCodes.NotMoreSevere, (await breaker.TripAsync(TradingState.Active, Trader, "nothing")).ErrorCode);
        Assert.Equal(BreakerErrorCodes.NotLessSevere, (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "nothing to reset", force: false)).ErrorCode);
        Assert.True((await breaker.TripAsync(TradingState.Reducing, Trader, "  cut only  ")).Succeeded);
        Assert.Equal(BreakerErrorCodes.NotMoreSevere, (await breaker.TripAsync(TradingState.Reducing, Trader, "again")).ErrorCode);
        Assert.True((await breaker.TripAsync(TradingState.Halted, Trader, "stop")).Succeeded);
        Assert.Equal(BreakerErrorCodes.RiskRoleRequired, (await breaker.ResetAsync(TradingState.Active, Trader, "mine", force: true)).ErrorCode);
        Assert.Equal(BreakerErrorCodes.ReasonRequired, (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "", force: false)).ErrorCode);
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).Succeeded);

        var audit = await breaker.GetAuditAsync(10);
        Assert.Equal([3L, 2L, 1L], audit.Select(a => a.Version));
        Assert.Equal(
            [(TradingState.Halted, TradingState.Active, BreakerTrigger.Reset, "risk-officer", "all clear"),
             (TradingState.Reducing, TradingState.Halted, BreakerTrigger.Manual, "trader", "stop"),
             (TradingState.Active, TradingState.Reducing, BreakerTrigger.Manual, "trader", "cut only")],
            audit.Select(a => (a.Transition.From, a.Transition.To, a.Transition.Trigger, a.Transition.Actor, a.Transition.Reason)));
    }

    // A risk officer who halted an account by hand while its daily loss holds takes it down to REDUCING: the loss does not
    // stand in the way (its state is not more severe than the target), and no order that opens a position passes on the
    // way, as it would through ACTIVE. Back to ACTIVE is still refused while the loss holds.
    [Fact]
    public async Task AResetFromHalted_ToReducing_PassesWhileADailyLossHolds_AndNeverOpensTheAccount()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "ka-down", 100_000m);
        var breaker = cluster.Breaker("ka-down");
        await Market.QuoteAsync(cluster, "KAR", 10_000m, 10_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kar-buy", "KAR", OrderSide.Buy, 1m), 1);
        await Market.QuoteAsync(cluster, "KAR", 5_000m, 5_000m);
        Assert.Equal(TradingState.Reducing, (await account.RefreshAsync())!.TradingState);
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "desk review")).Succeeded);

        Assert.Equal(BreakerErrorCodes.NotLessSevere, (await breaker.ResetAsync(TradingState.Halted, RiskOfficer, "same", force: false)).ErrorCode);
        var down = await breaker.ResetAsync(TradingState.Reducing, RiskOfficer, "reviewed, cut only", force: false);

        Assert.True(down.Succeeded, down.Message);
        Assert.Equal(TradingState.Reducing, (await account.RefreshAsync())!.TradingState);
        var transition = (await breaker.GetAuditAsync(1))[0].Transition;
        Assert.Equal((TradingState.Halted, TradingState.Reducing, BreakerTrigger.Reset, false),
            (transition.From, transition.To, transition.Trigger, transition.Forced));
        var opening = await account.PlaceOrderAsync(Market.MarketOrder("kar-more", "KAR", OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, opening.Denial?.ReasonCode);
        var closing = await account.PlaceOrderAsync(Market.MarketOrder("kar-sell", "KAR", OrderSide.Sell, 1m));
        Assert.True(closing.Succeeded, closing.Denial?.Message);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).ErrorCode);
    }

    // REDUCING admits an order only when all of it closes exposure, net of the open orders on its side (docs/domain.md):
    // long 50 with a resting sell of 30 leaves 20 to close.
    [Fact]
    public async Task Reducing_AdmitsOnlyWhatClosesThePosition_NetOfOpenOrders()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "KAR", 30m, 30m);
        await Market.QuoteAsync(cluster, "KAO", 20m, 20m);
        var account = await TestAccounts.OpenAsync(cluster, "ka-reducing", 100_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kar-buy", "KAR", OrderSide.Buy, 50m), 1);
        var resting = await account.PlaceOrderAsync(Market.Limit("kar-rest", "KAR", OrderSide.Sell, 30m, 33m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);
        Assert.True((await cluster.Breaker("ka-reducing").TripAsync(TradingState.Reducing, Trader, "cut only")).Succeeded);

        var beyond = await account.PlaceOrderAsync(Market.Limit("kar-21", "KAR", OrderSide.Sell, 21m, 33m));
        Assert.Equal((RiskReasonCodes.ReduceOnlyWouldIncreasePosition, 20m), (beyond.Denial?.ReasonCode, beyond.Denial?.MaxQuantity));
        var within = await account.PlaceOrderAsync(Market.Limit("kar-20", "KAR", OrderSide.Sell, 20m, 33m));
        Assert.True(within.Succeeded, within.Denial?.Message);

        // Nothing is left to close: another sell is refused with no quantity that would pass.
        var nothing = await account.PlaceOrderAsync(Market.Limit("kar-1", "KAR", OrderSide.Sell, 1m, 33m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, nothing.Denial?.ReasonCode);

        // A replace is checked without the order it replaces: the resting 30 may become at most 30 (50 less the other 20).
        var larger = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = resting.Order!.OrderId, Replacement = new OrderReplacement { Quantity = 31m } });
        Assert.Equal((RiskReasonCodes.ReduceOnlyWouldIncreasePosition, 30m), (larger.Denial?.ReasonCode, larger.Denial?.MaxQuantity));
        var journal = await account.GetJournalAsync(0, 1000);
        Assert.Contains(journal, j => j.Action == "replace-denied" && j.RiskReasonCode == RiskReasonCodes.ReduceOnlyWouldIncreasePosition);
        var smaller = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = resting.Order.OrderId, Replacement = new OrderReplacement { Quantity = 25m } });
        Assert.True(smaller.Succeeded, smaller.Denial?.Message);

        // A bracket never reduces; neither does a buy or a short sale of a symbol not held.
        Assert.True((await account.CancelOrderAsync(within.Order!.OrderId)).Succeeded);
        var bracket = await account.PlaceOrderAsync(Market.AsBracket(Market.Limit("kar-br", "KAR", OrderSide.Sell, 5m, 33m), takeProfit: 25m, stopLoss: 36m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, bracket.Denial?.ReasonCode);
        Assert.Null(bracket.Denial?.MaxQuantity);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
            (await account.PlaceOrderAsync(Market.MarketOrder("kao-buy", "KAO", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
            (await account.PlaceOrderAsync(Market.MarketOrder("kao-short", "KAO", OrderSide.Sell, 1m))).Denial?.ReasonCode);

        // HALTED refuses the replace and every order; a cancel still goes through.
        Assert.True((await cluster.Breaker("ka-reducing").TripAsync(TradingState.Halted, Trader, "stop")).Succeeded);
        var restingId = smaller.Order!.OrderId;
        Assert.Equal(RiskReasonCodes.TradingHalted,
            (await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = restingId, Replacement = new OrderReplacement { Quantity = 10m } })).Denial?.ReasonCode);
        Assert.Equal(RiskReasonCodes.TradingHalted,
            (await account.PlaceOrderAsync(Market.MarketOrder("kar-halted", "KAR", OrderSide.Sell, 1m))).Denial?.ReasonCode);
        Assert.All(await account.CancelAllAsync(), c => Assert.True(c.Succeeded, c.Denial?.Message));
    }

    // The kill switch at REDUCING puts every account in REDUCING: on a short of 40 (margin) only a buy of at most 40 passes;
    // an OCO that closes a long passes (only a bracket or OTO never does), and a second sale on top of it does not.
    [Fact]
    public async Task GlobalReducing_OnAShort_AdmitsOnlyTheCover_AndAnOcoThatCloses()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "KAS", 25m, 25m);
        await Market.QuoteAsync(cluster, "KAL", 50m, 50m);
        var shortAccount = cluster.Account("ka-short");
        Assert.True((await shortAccount.OpenAsync(new OpenAccount
        {
            Cash = 100_000m, AccountType = AccountType.Margin, RiskLimits = TestAccounts.Loose,
        })).Succeeded);
        await AccountSteps.FillAsync(shortAccount, Market.MarketOrder("kas-short", "KAS", OrderSide.Sell, 40m), 1);
        var longAccount = await TestAccounts.OpenAsync(cluster, "ka-long", 100_000m);
        await AccountSteps.FillAsync(longAccount, Market.MarketOrder("kal-buy", "KAL", OrderSide.Buy, 10m), 1);
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Reducing, RiskOfficer, "kill switch to reducing")).Succeeded);

        var snapshot = (await shortAccount.GetSnapshotAsync())!;
        Assert.Equal((TradingState.Reducing, TradingState.Active, TradingState.Reducing),
            (snapshot.TradingState, snapshot.AccountBreakerState, snapshot.GlobalBreakerState));
        var moreShort = await shortAccount.PlaceOrderAsync(Market.MarketOrder("kas-more", "KAS", OrderSide.Sell, 1m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, moreShort.Denial?.ReasonCode);
        var flip = await shortAccount.PlaceOrderAsync(Market.MarketOrder("kas-flip", "KAS", OrderSide.Buy, 41m));
        Assert.Equal((RiskReasonCodes.ReduceOnlyWouldIncreasePosition, 40m), (flip.Denial?.ReasonCode, flip.Denial?.MaxQuantity));
        var cover = await shortAccount.PlaceOrderAsync(Market.MarketOrder("kas-cover", "KAS", OrderSide.Buy, 40m));
        Assert.True(cover.Succeeded, cover.Denial?.Message);

        var oco = Market.AsBracket(Market.Limit("kal-oco", "KAL", OrderSide.Sell, 10m, 55m), takeProfit: 55m, stopLoss: 45m);
        oco = oco with { Request = oco.Request with { OrderClass = OrderClass.Oco } };
        var placed = await longAccount.PlaceOrderAsync(oco);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var extra = await longAccount.PlaceOrderAsync(Market.Limit("kal-extra", "KAL", OrderSide.Sell, 1m, 55m));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, extra.Denial?.ReasonCode);
    }

    // HALTED denies every order, and it is the first check (docs/domain.md "Pre-trade risk": the first denial wins). A close
    // of a position that a working order covers was refused SHORTING_NOT_ALLOWED while halted: the trader cancelled the
    // order as told, and the close was refused again, TRADING_HALTED, with nothing left working to protect the position.
    [Fact]
    public async Task AClose_WhileHalted_IsRefusedAsHalted_ThoughAWorkingOrderCoversThePosition()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "KAC", 30m, 30m);
        var account = await TestAccounts.OpenAsync(cluster, "ka-close", 100_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kac-buy", "KAC", OrderSide.Buy, 50m), 1);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("kac-stop", "KAC", OrderSide.Sell, 20m, 33m))).Succeeded);
        Assert.True((await cluster.Breaker("ka-close").TripAsync(TradingState.Halted, Trader, "stop")).Succeeded);

        var close = await account.ClosePositionAsync("KAC");
        Assert.Equal(RiskReasonCodes.TradingHalted, close.Denial?.ReasonCode);
        var closeAll = Assert.Single(await account.CloseAllPositionsAsync(cancelOrders: false));
        Assert.Equal(RiskReasonCodes.TradingHalted, closeAll.Result.Denial?.ReasonCode);
        Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    // A transition is persisted before it is acknowledged: a restart right after the trip's answer finds it tripped, the
    // account too, and the audit entry with it.
    [Fact]
    public async Task ATripAcknowledged_SurvivesARestartAtOnce()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { SqlitePath = _dir.File("trip.db") });
        await Market.QuoteAsync(cluster, "KAP", 10m, 10m);
        await TestAccounts.OpenAsync(cluster, "ka-persist", 10_000m);
        Assert.True((await cluster.Breaker("ka-persist").TripAsync(TradingState.Halted, RiskOfficer, "halt before restart")).Succeeded);
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Reducing, RiskOfficer, "kill switch to reducing")).Succeeded);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);

        Assert.Equal(TradingState.Halted, (await cluster.Breaker("ka-persist").GetStateAsync()).State);
        Assert.Equal(TradingState.Reducing, (await cluster.Breaker(BreakerKeys.Global).GetStateAsync()).State);
        Assert.Equal("halt before restart", Assert.Single(await cluster.Breaker("ka-persist").GetAuditAsync(10)).Transition.Reason);
        await Market.QuoteAsync(cluster, "KAP", 10m, 10m);
        var account = cluster.Account("ka-persist");
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((TradingState.Halted, TradingState.Halted, TradingState.Reducing),
            (snapshot.TradingState, snapshot.AccountBreakerState, snapshot.GlobalBreakerState));
        Assert.Equal(RiskReasonCodes.TradingHalted,
            (await account.PlaceOrderAsync(Market.MarketOrder("kap-1", "KAP", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        var events = (await account.GetEventsAsync(0, 1000)).Events;
        Assert.Contains(events, e => e.Kind == AccountEventKind.BreakerChanged && e.Breaker is { BreakerId: "ka-persist", State: TradingState.Halted });
        Assert.Contains(events, e => e.Kind == AccountEventKind.BreakerChanged && e.Breaker is { BreakerId: BreakerKeys.Global, State: TradingState.Reducing });

        // The account's reset leaves the kill switch's REDUCING in force.
        Assert.True((await cluster.Breaker("ka-persist").ResetAsync(TradingState.Active, RiskOfficer, "account ok", force: false)).Succeeded);
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition,
            (await account.PlaceOrderAsync(Market.MarketOrder("kap-2", "KAP", OrderSide.Buy, 1m))).Denial?.ReasonCode);
    }

    // A reset is refused while a trigger's condition still holds. A drawdown reached while the breaker was already HALTED
    // (by hand) makes no transition, so it is not stored; after a restart the breaker judged the reset on the signals of
    // its last stored transition (the account at its high-water mark) and let it through, with the account 10% down.
    [Fact]
    public async Task AResetAfterARestart_IsRefused_WhileTheDrawdownReachedWhileHaltedStillHolds()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("reset.db") });
        var account = await TestAccounts.OpenAsync(cluster, "ka-restart-reset", 100_000m, policy: BreakerPolicy.Default with { DailyLossLimit = 1_000_000m });
        await Market.QuoteAsync(cluster, "KAX", 20_000m, 20_000m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("kax-buy", "KAX", OrderSide.Buy, 1m), 1);
        Assert.Equal(100_000m, (await account.RefreshAsync())!.Equity);
        Assert.True((await cluster.Breaker("ka-restart-reset").TripAsync(TradingState.Halted, RiskOfficer, "desk halt")).Succeeded);
        await Market.QuoteAsync(cluster, "KAX", 10_000m, 10_000m);
        Assert.Equal(90_000m, (await account.RefreshAsync())!.Equity);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds,
            (await cluster.Breaker("ka-restart-reset").ResetAsync(TradingState.Active, RiskOfficer, "before the restart", force: false)).ErrorCode);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);

        // As the API's reset does: the account is looked up (and so activated) first.
        Assert.NotNull(await cluster.Account("ka-restart-reset").GetRiskLimitsAsync());
        var reset = await cluster.Breaker("ka-restart-reset").ResetAsync(TradingState.Active, RiskOfficer, "after the restart", force: false);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, reset.ErrorCode);
    }
}
