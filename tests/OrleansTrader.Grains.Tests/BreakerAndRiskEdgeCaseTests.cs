using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Breakers;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Breaker and pre-trade risk edge cases: the kill switch's id, stale data while the market is closed or after a restart, a reset, a listener or a policy that cannot be stored, a forced reset, a reset the next day, replacements under the submit rate, the day rolled at activation.</summary>
public sealed class BreakerAndRiskEdgeCaseTests : IDisposable
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // An account's breaker is the breaker with the account's key, and the kill switch is the breaker keyed "global": an
    // account opened as "global" takes over the kill switch (its policy, its P&L signals, its trips and resets).
    [Fact]
    public async Task AnAccountNamedGlobal_CannotTakeOverTheKillSwitch()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var relaxed = BreakerPolicy.Default with { StaleDataMaxAge = TimeSpan.FromDays(365), DailyLossLimit = 1_000_000m };

        var opened = await cluster.Account(BreakerKeys.Global).OpenAsync(new OpenAccount
        {
            Cash = 10_000m,
            RiskLimits = TestAccounts.Loose,
            BreakerPolicy = relaxed,
        });

        Assert.Equal(BreakerPolicy.Default, await cluster.Breaker(BreakerKeys.Global).GetPolicyAsync());
        Assert.False(opened.Succeeded);
    }

    // The feed goes quiet when the market closes (20:00 New York): that is not stale data. It must not put every account
    // into REDUCING for the night (the breaker never relaxes by itself: a risk officer would have to reset it every day).
    [Fact]
    public async Task StaleMarketData_DoesNotTrip_WhileTheMarketIsClosed_ButDoesWhenOpen()
    {
        // Friday 2026-03-06 19:59:30 New York (EST) = 2026-03-07 00:59:30 UTC; after-hours close at 20:00.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 7, 0, 59, 30, TimeSpan.Zero));
        await using (var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance }))
        {
            var global = cluster.Breaker(BreakerKeys.Global);
            Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);

            time.Advance(TimeSpan.FromSeconds(90));
            Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);
        }

        // Monday 2026-03-09 03:59:00 New York (EDT) = 07:59 UTC: pre-market opens at 04:00, the last data is Friday's.
        var monday = new FakeTimeProvider(new DateTimeOffset(2026, 3, 9, 7, 59, 0, TimeSpan.Zero));
        await using (var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = monday, Calendar = NyseCalendar.Instance }))
        {
            var global = cluster.Breaker(BreakerKeys.Global);
            Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(new DateTimeOffset(2026, 3, 7, 0, 59, 30, TimeSpan.Zero))).State);
            monday.Advance(TimeSpan.FromSeconds(90));
            Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);

            // Open for 70 s and still nothing: stale.
            monday.Advance(TimeSpan.FromSeconds(40));
            var evaluated = await global.EvaluateAsync();
            Assert.Equal(TradingState.Reducing, evaluated.State);
            Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
        }
    }

    // docs/grains.md: "An account that was not active when its date changed closes the day at its next activation".
    // Monday: buy 100 at 50, marked at 45.5 (-450). The account is not active over midnight; Tuesday it is woken by an
    // order that sells 50 at 44.9. That sale (its realized P&L, its fee, its fill) is Tuesday's, not Monday's.
    [Fact]
    public async Task AFillAfterAnOvernightRestart_BelongsToTheNewDay()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("days.db") });
        var account = await TestAccounts.OpenAsync(cluster, "overnight", 100_000m);
        await Market.QuoteAsync(cluster, "OVN", 50m, 50m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("ov-buy", "OVN", OrderSide.Buy, 100m), 1);
        await Market.QuoteAsync(cluster, "OVN", 45.5m, 45.5m);
        Assert.Equal(-450m, (await account.RefreshAsync())!.DayPnl);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(1));
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);

        await Market.QuoteAsync(cluster, "OVN", 44.9m, 44.9m);
        account = cluster.Account("overnight");
        await AccountSteps.FillAsync(account, Market.MarketOrder("ov-sell", "OVN", OrderSide.Sell, 50m), 2);
        var sale = (await account.GetFillsAsync(1, 10)).Single();

        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal((1, 0m, 0m), (days[0].Fills, days[0].RealizedPnl, days[0].Fees));
        Assert.Equal((1, sale.RealizedPnl, sale.Fee), (days[1].Fills, days[1].RealizedPnl, days[1].Fees));
        Assert.Equal(-255m, sale.RealizedPnl);
    }

    // A halt of the kill switch reaches an account that is not active as the notice that wakes it: the account reads the
    // halted state while it activates. Its SSE and webhook consumers read the change from its events, so the halt must be
    // recorded there as for an active account, not only applied.
    [Fact]
    public async Task AGlobalHalt_ThatWakesAnInactiveAccount_IsRecordedInItsEvents()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("halt.db") });
        await TestAccounts.OpenAsync(cluster, "halt-asleep", 100_000m);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        var tripped = await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Halted, RiskOfficer, "kill switch");
        Assert.True(tripped.Succeeded, tripped.Message);

        var account = cluster.Account("halt-asleep");
        Assert.Equal(TradingState.Halted, (await account.RefreshAsync())!.TradingState);
        var events = (await account.GetEventsAsync(0, 10_000)).Events;
        Assert.Contains(events, e => e.Kind == AccountEventKind.BreakerChanged
            && e.Breaker is { BreakerId: BreakerKeys.Global, State: TradingState.Halted });
    }

    // A replacement is a new order sent to the broker (new order id, new client order id): it counts against the submit
    // rate limit. Otherwise a strategy that re-prices on every tick sends unlimited orders to the venue.
    [Fact]
    public async Task Replacements_CountAgainstTheSubmitRateLimit()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var account = await TestAccounts.OpenAsync(cluster, "replace-rate", 100_000m, TestAccounts.Loose with { MaxSubmitsPerWindow = 3 });
        await Market.QuoteAsync(cluster, "RRT", 50m, 50m);
        var placed = await account.PlaceOrderAsync(Market.Limit("rr-1", "RRT", OrderSide.Buy, 10m, 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var orderId = placed.Order!.OrderId;
        var results = new List<OrderCommandResult>();
        for (var i = 0; i < 5; i++)
        {
            await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");
            var replaced = await account.ReplaceOrderAsync(new ReplaceOrder
            {
                OrderId = orderId,
                Replacement = new OrderReplacement { LimitPrice = 47m - (i * 0.1m) },
            });
            results.Add(replaced);
            if (!replaced.Succeeded)
            {
                break;
            }

            orderId = replaced.Order!.OrderId;
        }

        // One placement and two replacements fill the window of three; the third replacement is refused.
        Assert.Equal([true, true, false], results.Select(r => r.Succeeded));
        Assert.Equal(RiskReasonCodes.RateLimitExceeded, results[^1].Denial?.ReasonCode);
    }

    // The submit rate counts the submits of the last SubmitWindow. An account limited to 2 an hour that is restarted (or
    // collected when idle for 15 minutes) must still count the two it sent, not start the hour again.
    [Fact]
    public async Task TheSubmitRateLimit_CountsSubmitsMadeBeforeARestart()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("rate.db") });
        var account = await TestAccounts.OpenAsync(cluster, "rate-restart", 100_000m,
            TestAccounts.Loose with { MaxSubmitsPerWindow = 2, SubmitWindow = TimeSpan.FromHours(1) });
        await Market.QuoteAsync(cluster, "RRS", 50m, 50m);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("rs-1", "RRS", OrderSide.Buy, 1m, 49m))).Succeeded);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("rs-2", "RRS", OrderSide.Buy, 1m, 49m))).Succeeded);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(20));
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "RRS", 50m, 50m);

        var third = await cluster.Account("rate-restart").PlaceOrderAsync(Market.Limit("rs-3", "RRS", OrderSide.Buy, 1m, 49m));
        Assert.Equal(RiskReasonCodes.RateLimitExceeded, third.Denial?.ReasonCode);

        // Once the first submit is an hour old, there is room for one more.
        time.Advance(TimeSpan.FromMinutes(41));
        await Market.QuoteAsync(cluster, "RRS", 50m, 50m);
        var fourth = await cluster.Account("rate-restart").PlaceOrderAsync(Market.Limit("rs-4", "RRS", OrderSide.Buy, 1m, 49m));
        Assert.True(fourth.Succeeded, fourth.Denial?.Message);
    }

    // "State is persisted before a transition is acknowledged": a reset whose write fails must leave the breaker as it was,
    // not ACTIVE in memory (where every account reads it within a second) and HALTED again after a restart.
    [Fact]
    public async Task AResetThatCannotBeStored_LeavesTheBreakerHalted()
    {
        var flaky = new FlakyBreakerStorage();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) =>
            {
                flaky.Inner = new MemoryGrainStorage(sp.GetRequiredService<IGrainStateSerializer>());
                return flaky;
            }),
        });
        await Market.QuoteAsync(cluster, "FLK", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "flaky", 10_000m);
        var breaker = cluster.Breaker("flaky");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "halt")).Succeeded);

        flaky.FailBreakerWrites = true;
        await Assert.ThrowsAnyAsync<Exception>(() => breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false));

        Assert.Equal(TradingState.Halted, (await breaker.GetStateAsync()).State);
        Assert.Single(await breaker.GetAuditAsync(10));
        await account.RefreshAsync();
        var order = await account.PlaceOrderAsync(Market.MarketOrder("fl-1", "FLK", OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.TradingHalted, order.Denial?.ReasonCode);
    }

    // The kill switch tells every account that registered (docs/grains.md). A registration whose write failed was kept in
    // memory only: the account's retry found it there and wrote nothing, so the next activation of the breaker forgot it.
    [Fact]
    public async Task AListenerRegistrationWhoseWriteFailed_IsStored_WhenRetried()
    {
        var storage = new WriteFailingStorage("breaker");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
        });
        var killSwitch = cluster.Breaker(BreakerKeys.Global);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => killSwitch.RegisterListenerAsync("listener-1"));
        await killSwitch.RegisterListenerAsync("listener-1");

        var stored = new GrainState<BreakerState>(new BreakerState());
        await storage.ReadStateAsync("breaker", GrainId.Create(typeof(BreakerGrain).FullName!, BreakerKeys.Global), stored,
            TestContext.Current.CancellationToken);
        Assert.Equal(["listener-1"], stored.State.Listeners);
    }

    // A transition is logged (event 5201) once it is written: a trip whose write failed leaves the breaker as it was, and
    // its log line told operators of a halt that never happened.
    [Fact]
    public async Task ATripWhoseWriteFailed_LogsNoTransition()
    {
        var storage = new WriteFailingStorage("breaker");
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddSingleton<ILoggerProvider>(logs);
            },
        });
        var breaker = cluster.Breaker("log-after-write");
        Assert.Equal(TradingState.Active, (await breaker.GetStateAsync()).State);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => breaker.TripAsync(TradingState.Halted, RiskOfficer, "failed write"));
        Assert.Equal(TradingState.Active, (await breaker.GetStateAsync()).State);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == 5201);

        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "written")).Succeeded);
        Assert.Contains("written", Assert.Single(logs.Entries, e => e.EventId.Id == 5201).Text, StringComparison.Ordinal);
    }

    // The account judges a fill's P&L with its own breaker policy and calls its breaker at once only on a breach, which
    // the breaker judges with the policy the account gave it when it opened (docs/grains.md: same policy, same values).
    // An open whose policy write failed was answered "already open" on its retry, and the breaker kept the default.
    [Fact]
    public async Task AnOpenWhoseBreakerPolicyWriteFailed_GivesTheBreakerItsPolicy_WhenRetried()
    {
        var storage = new WriteFailingStorage("breaker");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
        });
        var policy = BreakerPolicy.Default with { DailyLossLimit = 500m };
        var open = new OpenAccount { Cash = 100_000m, RiskLimits = TestAccounts.Loose, BreakerPolicy = policy };

        // Registered already, so the first breaker write of the open is its policy.
        await cluster.Breaker(BreakerKeys.Global).RegisterListenerAsync("policy-retry");
        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => cluster.Account("policy-retry").OpenAsync(open));
        var retried = await cluster.Account("policy-retry").OpenAsync(open);

        Assert.True(retried.Succeeded, retried.Message);
        Assert.Equal(policy, await cluster.Breaker("policy-retry").GetPolicyAsync());
    }

    // A forced reset overrides a condition that still holds (docs/domain.md). The next evaluation (the account's signal
    // a second later, the breaker's own timer) must not trip it again on that same condition: the override would last a
    // second and leave the account where the risk officer took it from.
    [Fact]
    public async Task AForcedReset_IsNotUndoneByTheConditionItOverrode_UntilThatConditionClears()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var breaker = cluster.Breaker("forced");
        Assert.True((await breaker.SetPolicyAsync(BreakerPolicy.Default with { DailyLossLimit = 500m })).Succeeded);
        var losing = new AccountSignals { DayPnl = -600m, Equity = 99_400m, HighWaterMark = 100_000m, At = time.GetUtcNow() };
        Assert.Equal(TradingState.Reducing, (await breaker.ReportAccountSignalsAsync(losing)).State);

        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "loss reviewed, keep trading", force: true)).Succeeded);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TradingState.Active, (await breaker.ReportAccountSignalsAsync(losing with { At = time.GetUtcNow() })).State);
        Assert.Equal(TradingState.Active, (await breaker.EvaluateAsync()).State);

        // Once the loss is back within the limit the trigger is armed again: a new breach trips as before.
        Assert.Equal(TradingState.Active, (await breaker.ReportAccountSignalsAsync(losing with { DayPnl = -100m })).State);
        var tripped = await breaker.ReportAccountSignalsAsync(losing with { DayPnl = -700m });
        Assert.Equal(TradingState.Reducing, tripped.State);
        Assert.Equal(BreakerTrigger.DailyLoss, tripped.LastTrigger);
        Assert.Equal([BreakerTrigger.DailyLoss, BreakerTrigger.Reset, BreakerTrigger.DailyLoss],
            (await breaker.GetAuditAsync(10)).Select(a => a.Transition.Trigger));
    }

    // The breaker keeps the market data time it last heard in memory and writes it only with a transition. A restarted
    // global breaker read the time of its last write (the last account that registered, hours ago) and judged the feed
    // stale at its first tick, before the feed could report: a deploy during market hours put every account in REDUCING.
    [Fact]
    public async Task ARestartedKillSwitch_GivesTheFeedItsMaxAgeToReport_BeforeJudgingItStale()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("stale.db") });
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);
        await TestAccounts.OpenAsync(cluster, "restart-stale", 10_000m);
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);
        }

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(5));
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        global = cluster.Breaker(BreakerKeys.Global);

        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);

        // A feed that stays silent after the restart is still found out, a max age after the breaker came back.
        time.Advance(TimeSpan.FromSeconds(61));
        var evaluated = await global.EvaluateAsync();
        Assert.Equal(TradingState.Reducing, evaluated.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
    }

    // The market data time is written only with a transition or another write (a listener, a policy). A kill switch that
    // first heard the feed after its last write stored no time at all: restarted, it had no time to judge from, and a
    // feed that stayed silent after the restart never counted as stale (every account kept trading on data it never got).
    [Fact]
    public async Task ARestartedKillSwitch_JudgesASilentFeedStale_WhenItFirstHeardTheFeedAfterItsLastWrite()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("first-heard.db") });
        await TestAccounts.OpenAsync(cluster, "first-heard", 10_000m);
        var global = cluster.Breaker(BreakerKeys.Global);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(5));
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);

        time.Advance(TimeSpan.FromSeconds(61));
        var evaluated = await global.EvaluateAsync();
        Assert.Equal(TradingState.Reducing, evaluated.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
    }

    // A day's P&L is judged on its day (docs/grains.md "Trading days": an account's day is a UTC date). A breaker that
    // tripped on Monday's loss and heard nothing since (its account idle) refused Tuesday's reset: "Day P&L -600 is at
    // or below -500", a loss that Tuesday's trading day does not have.
    [Fact]
    public async Task AResetTheNextDay_IsNotRefusedForYesterdaysLoss()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var breaker = cluster.Breaker("yesterday");
        Assert.True((await breaker.SetPolicyAsync(BreakerPolicy.Default with { DailyLossLimit = 500m })).Succeeded);
        var monday = new AccountSignals { DayPnl = -600m, Equity = 99_400m, HighWaterMark = 100_000m, At = time.GetUtcNow() };
        Assert.Equal(TradingState.Reducing, (await breaker.ReportAccountSignalsAsync(monday)).State);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "same day", force: false)).ErrorCode);

        time.Advance(TimeSpan.FromDays(1));
        var reset = await breaker.ResetAsync(TradingState.Active, RiskOfficer, "new day", force: false);

        Assert.True(reset.Succeeded, reset.Message);
        Assert.False(Assert.Single(await breaker.GetAuditAsync(1)).Transition.Forced);
    }

    // The day rolls at the first valuation of a new UTC date (the signal tick). A fill that comes after midnight and before
    // that tick was judged at once against the start of yesterday: yesterday's -400 plus today's -150 reported as today's
    // -550 tripped a 500 daily-loss limit that neither day reached.
    [Fact]
    public async Task AFillJustAfterMidnight_DoesNotTripTheDailyLoss_OnYesterdaysLossAddedToTodays()
    {
        // Five minutes before midnight: the account stays active (idle collection is after 15 minutes).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 55, 0, TimeSpan.Zero));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o => o.SignalInterval = o.ReconcileInterval = TimeSpan.FromDays(30)),
        });
        var policy = BreakerPolicy.Default with { DailyLossLimit = 500m, StaleDataMaxAge = TimeSpan.FromDays(365) };
        var account = await TestAccounts.OpenAsync(cluster, "midnight-loss", 100_000m, policy: policy);
        await Market.QuoteAsync(cluster, "MID", 50m, 50m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("mid-buy", "MID", OrderSide.Buy, 100m), 1);
        await Market.QuoteAsync(cluster, "MID", 46m, 46m);
        Assert.Equal(-400m, (await account.RefreshAsync())!.DayPnl);

        await AccountSteps.CrossMidnightAsync(cluster, time, "MID", 46m);
        await Market.QuoteAsync(cluster, "MID", 44.5m, 44.5m);
        await AccountSteps.FillAsync(account, Market.MarketOrder("mid-sell", "MID", OrderSide.Sell, 100m), 2);
        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal(TradingState.Active, (await cluster.Breaker("midnight-loss").GetStateAsync()).State);
        Assert.Equal(TradingState.Active, snapshot.TradingState);
    }

    private sealed class FlakyBreakerStorage : IGrainStorage
    {
        public IGrainStorage Inner { get; set; } = null!;

        public volatile bool FailBreakerWrites;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            FailBreakerWrites && stateName == "breaker"
                ? Task.FromException(new IOException("storage unavailable"))
                : Inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Inner.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
