using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The windows an account's risk and its breaker count in span elapsed time, so a wall-clock step (NTP, a host resumed after a
/// pause, an operator setting the clock back) neither empties them early nor holds their entries for the step's length.
/// </summary>
public sealed class RiskWindowClockStepTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The submit rate compared its submits' wall times with the clock's: stepped an hour forward, the two submits of the
    /// last second had left the minute's window and two more went out at once; set back an hour, the two sat ahead of the
    /// clock, uncounted, and two more went out too. Either way the limit held once the minute had elapsed, not an hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task TheSubmitRateLimit_CountsTheLastMinutesSubmits_WhenTheWallClockStepsAnHour(int hours)
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var account = await TestAccounts.OpenAsync(cluster, "rate-step", 100_000m,
            TestAccounts.Loose with { MaxSubmitsPerWindow = 2, SubmitWindow = TimeSpan.FromMinutes(1) });
        await Market.QuoteAsync(cluster, "RSTP", 50m, 50m);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("step-1", "RSTP", OrderSide.Buy, 1m, 49m))).Succeeded);
        Assert.True((await account.PlaceOrderAsync(Market.Limit("step-2", "RSTP", OrderSide.Buy, 1m, 49m))).Succeeded);

        clock.Skew = TimeSpan.FromHours(hours);
        time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, "RSTP", 50m, 50m);
        var third = await account.PlaceOrderAsync(Market.Limit("step-3", "RSTP", OrderSide.Buy, 1m, 49m));
        Assert.True(third.Denial?.ReasonCode == RiskReasonCodes.RateLimitExceeded,
            $"a third submit within the minute: {(third.Succeeded ? "accepted" : third.Denial?.Message)}");

        time.Advance(TimeSpan.FromSeconds(60));
        await Market.QuoteAsync(cluster, "RSTP", 50m, 50m);
        var later = await account.PlaceOrderAsync(Market.Limit("step-4", "RSTP", OrderSide.Buy, 1m, 49m));
        Assert.True(later.Succeeded, later.Denial?.Message);
    }

    /// <summary>
    /// The breaker's error-rate window pruned by the wall clock: stepped an hour forward, the two errors of the last second
    /// were forgotten and a third did not trip a breaker that needs three.
    /// </summary>
    [Fact]
    public async Task TheBrokerErrorWindow_KeepsTheLastMinutesErrors_WhenTheWallClockStepsAnHourForward()
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var breaker = cluster.Breaker("errors-forward");
        Assert.True((await breaker.SetPolicyAsync(ThreeErrorsTrip)).Succeeded);
        Assert.Equal(TradingState.Active, (await breaker.ReportBrokerOutcomesAsync(Errors(clock, 2))).State);

        clock.Skew = TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(1));

        var third = await breaker.ReportBrokerOutcomesAsync(Errors(clock, 1));
        Assert.Equal(TradingState.Halted, third.State);
        Assert.Equal(BreakerTrigger.BrokerErrorRate, third.LastTrigger);
    }

    /// <summary>
    /// Set back an hour, the two errors sat ahead of the clock: uncounted at first, they came back into the window once the
    /// clock caught up with them, and an hour after they happened a single error tripped the breaker on them.
    /// </summary>
    [Fact]
    public async Task TheBrokerErrorWindow_ForgetsErrorsOlderThanTheWindow_WhenTheWallClockWasSetBackAnHour()
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var breaker = cluster.Breaker("errors-back");
        Assert.True((await breaker.SetPolicyAsync(ThreeErrorsTrip)).Succeeded);
        Assert.Equal(TradingState.Active, (await breaker.ReportBrokerOutcomesAsync(Errors(clock, 2))).State);

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TradingState.Halted, (await breaker.ReportBrokerOutcomesAsync(Errors(clock, 1))).State);
        Assert.True((await breaker.ResetAsync(TradingState.Active, new BreakerActor("risk-officer", HasRiskRole: true), "checked", force: true)).Succeeded);

        time.Advance(TimeSpan.FromMinutes(61));
        var later = await breaker.ReportBrokerOutcomesAsync(Errors(clock, 1));
        Assert.True(later.State == TradingState.Active, $"breaker {later.State}: {later.LastReason}");
    }

    private static BreakerPolicy ThreeErrorsTrip { get; } = new() { MinErrorSamples = 3, ErrorWindow = TimeSpan.FromMinutes(5) };

    private static BrokerOutcome[] Errors(TimeProvider clock, int count) => [new BrokerOutcome(clock.GetUtcNow(), IsError: true, count)];
}
