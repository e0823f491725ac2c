using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>Breaker resets: overrides across a reset and a restart, the kill switch over an account reset and a later account.</summary>
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
