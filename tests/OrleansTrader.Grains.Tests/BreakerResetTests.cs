using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Breaker resets: overrides and the error rate across a reset and a restart, the kill switch over an account reset and a later account.</summary>
public sealed class BreakerResetTests : IDisposable
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // A forced reset overrides the conditions that hold then, until they clear. A later reset carried every older override
    // over, also one whose condition had cleared without an evaluation seeing it (yesterday's loss, judged no more today):
    // the next day's loss past the limit then never tripped REDUCING.
    [Fact]
    public async Task AResetTheNextDay_DoesNotCarryYesterdaysOverride_SoTodaysLossTrips()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var breaker = cluster.Breaker("carried-override");
        Assert.True((await breaker.SetPolicyAsync(BreakerPolicy.Default with { DailyLossLimit = 500m })).Succeeded);
        var losing = new AccountSignals { DayPnl = -600m, Equity = 99_400m, HighWaterMark = 100_000m, At = time.GetUtcNow() };
        Assert.Equal(TradingState.Reducing, (await breaker.ReportAccountSignalsAsync(losing)).State);
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "loss reviewed, keep trading", force: true)).Succeeded);
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "end of day")).Succeeded);

        time.Advance(TimeSpan.FromDays(1));
        var reset = await breaker.ResetAsync(TradingState.Active, RiskOfficer, "new day", force: false);
        Assert.True(reset.Succeeded, reset.Message);

        var tripped = await breaker.ReportAccountSignalsAsync(losing with { DayPnl = -700m, At = time.GetUtcNow() });
        Assert.Equal(TradingState.Reducing, tripped.State);
        Assert.Equal(BreakerTrigger.DailyLoss, tripped.LastTrigger);
    }

    // The override is part of the stored status: a restart must not undo a forced reset at the next evaluation.
    [Fact]
    public async Task AForcedReset_SurvivesARestart()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("forced.db") });
        var breaker = cluster.Breaker("forced-restart");
        Assert.True((await breaker.SetPolicyAsync(BreakerPolicy.Default with { DailyLossLimit = 500m })).Succeeded);
        var losing = new AccountSignals { DayPnl = -600m, Equity = 99_400m, HighWaterMark = 100_000m, At = time.GetUtcNow() };
        Assert.Equal(TradingState.Reducing, (await breaker.ReportAccountSignalsAsync(losing)).State);
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "keep trading", force: true)).Succeeded);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        breaker = cluster.Breaker("forced-restart");

        Assert.Equal(TradingState.Active, (await breaker.ReportAccountSignalsAsync(losing with { At = time.GetUtcNow() })).State);

        // The audit trail is stored with it: newest first, the forced reset with the values it overrode, then the trip.
        var audit = await breaker.GetAuditAsync(10);
        Assert.Equal(2, audit.Count);
        var (reset, trip) = (audit[0].Transition, audit[1].Transition);
        Assert.Equal((2L, TradingState.Reducing, TradingState.Active, BreakerTrigger.Reset, "risk-officer", "keep trading", true),
            (audit[0].Version, reset.From, reset.To, reset.Trigger, reset.Actor, reset.Reason, reset.Forced));
        Assert.Equal(["DailyLoss.dailyLossLimit=500", "DailyLoss.dayPnl=-600"], reset.Values.Select(v => $"{v.Key}={v.Value}"));
        Assert.Equal((1L, TradingState.Active, TradingState.Reducing, BreakerTrigger.DailyLoss, "system", false),
            (audit[1].Version, trip.From, trip.To, trip.Trigger, trip.Actor, trip.Forced));
        Assert.Equal(["dailyLossLimit=500", "dayPnl=-600"], trip.Values.Select(v => $"{v.Key}={v.Value}"));
    }

    // A reset is refused while the broker error rate holds. One reached while the breaker was already HALTED (by hand) makes
    // no transition, and the outcomes were kept in memory only: after a restart the reset was judged on an empty window and
    // let through with half the broker calls failing. The errors go on for longer than the window, so the first ones
    // written have expired from it by the restart and the later ones must be stored too.
    [Fact]
    public async Task AResetAfterARestart_IsRefused_WhileTheErrorRateReachedWhileHaltedStillHolds()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("errors.db") });
        var breaker = cluster.Breaker("errors-restart");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "desk halt")).Succeeded);
        static List<BrokerOutcome> HalfFailed(DateTimeOffset from) =>
            [.. Enumerable.Range(0, 10).Select(i => new BrokerOutcome(from.AddSeconds(i), IsError: i < 5))];

        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TradingState.Halted, (await breaker.ReportBrokerOutcomesAsync(HalfFailed(start))).State);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds,
            (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "before the restart", force: false)).ErrorCode);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(TradingState.Halted, (await breaker.ReportBrokerOutcomesAsync(HalfFailed(time.GetUtcNow().AddSeconds(-10)))).State);
        time.Advance(TimeSpan.FromMinutes(2));

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        breaker = cluster.Breaker("errors-restart");

        var reset = await breaker.ResetAsync(TradingState.Active, RiskOfficer, "after the restart", force: false);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds, reset.ErrorCode);
        Assert.Contains("5 of 10 broker calls failed", reset.Message, StringComparison.Ordinal);
        var halt = Assert.Single(await breaker.GetAuditAsync(10)).Transition;
        Assert.Equal((TradingState.Active, TradingState.Halted, BreakerTrigger.Manual, "risk-officer", "desk halt"),
            (halt.From, halt.To, halt.Trigger, halt.Actor, halt.Reason));
    }

    // The window is written once more when the error rate stops holding: left with only the failures written while it held,
    // a restart judged the reset on them and refused it, though the calls since had brought the rate below the max.
    [Fact]
    public async Task AResetAfterARestart_PassesOnceTheErrorRateStoppedHolding_BeforeTheRestart()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("recovered.db") });
        var breaker = cluster.Breaker("errors-recovered");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "desk halt")).Succeeded);
        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(20));
        await breaker.ReportBrokerOutcomesAsync([.. Enumerable.Range(0, 10).Select(i => new BrokerOutcome(start.AddSeconds(i), IsError: i < 5))]);
        Assert.Equal(BreakerErrorCodes.ConditionStillHolds,
            (await breaker.ResetAsync(TradingState.Active, RiskOfficer, "still failing", force: false)).ErrorCode);
        await breaker.ReportBrokerOutcomesAsync([.. Enumerable.Range(10, 10).Select(i => new BrokerOutcome(start.AddSeconds(i), IsError: false))]);

        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);
        breaker = cluster.Breaker("errors-recovered");

        // 5 of 20 calls failed: below the max rate of one half, so the reset needs no force.
        var reset = await breaker.ResetAsync(TradingState.Active, RiskOfficer, "broker recovered", force: false);
        Assert.True(reset.Succeeded, reset.Message);
        Assert.Equal(TradingState.Active, reset.Snapshot.State);
    }

    [Fact]
    public async Task AnAccountReset_WhileTheKillSwitchHolds_DoesNotLetTheAccountTrade_NorDoesAnAccountOpenedLater()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        await Market.QuoteAsync(cluster, "KSR", 10m, 10m);
        var first = await TestAccounts.OpenAsync(cluster, "ks-reset", 10_000m);
        Assert.True((await cluster.Breaker("ks-reset").TripAsync(TradingState.Halted, RiskOfficer, "account halt")).Succeeded);
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Halted, RiskOfficer, "kill switch")).Succeeded);
        Assert.True((await cluster.Breaker("ks-reset").ResetAsync(TradingState.Active, RiskOfficer, "account ok", force: false)).Succeeded);

        Assert.Equal(RiskReasonCodes.TradingHalted, (await first.PlaceOrderAsync(Market.MarketOrder("ksr-1", "KSR", OrderSide.Buy, 1m))).Denial?.ReasonCode);
        var later = await TestAccounts.OpenAsync(cluster, "ks-later", 10_000m);
        Assert.Equal(RiskReasonCodes.TradingHalted, (await later.PlaceOrderAsync(Market.MarketOrder("ksl-1", "KSR", OrderSide.Buy, 1m))).Denial?.ReasonCode);
    }
}
