using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Stale market data (the global breaker's trigger, readiness, a symbol's own) is judged by elapsed time, so a wall-clock
/// step (NTP, a host resumed after a pause, an operator setting the clock back) neither makes a live feed stale nor a dead
/// one fresh; a live bar closes by elapsed time too.
/// </summary>
public sealed class StaleDataClockStepTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Judged on two wall times, a clock stepped forward over the max age (60 s) between two reports of a live feed
    /// tripped the kill switch's stale-data trigger at its next tick: every account went to REDUCING until a risk reset.
    /// </summary>
    [Fact]
    public async Task TheGlobalBreaker_StaysActive_WhenTheWallClockStepsAnHourForwardBetweenReports()
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(clock.GetUtcNow())).State);

        clock.Skew = TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(1));

        var evaluated = await global.EvaluateAsync();
        Assert.True(evaluated.State == TradingState.Active, $"global breaker {evaluated.State}: {evaluated.LastReason}");
    }

    /// <summary>
    /// Set back an hour, the data last heard was stamped an hour ahead of the clock: a feed that died then counted as
    /// fresh until the clock caught up, an hour and a minute of trading on data that no longer came.
    /// </summary>
    [Fact]
    public async Task TheGlobalBreaker_JudgesAFeedSilentSinceTheWallClockWasSetBack_StaleAfterItsMaxAge()
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(clock.GetUtcNow())).State);

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);

        time.Advance(TimeSpan.FromSeconds(31));
        var evaluated = await global.EvaluateAsync();
        Assert.Equal(TradingState.Reducing, evaluated.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
    }

    /// <summary>
    /// The feed pump stamped its last data with the wall clock at arrival: stepped an hour forward, readiness found a feed
    /// that had printed a second before "3601 s" stale (the silo left the load balancer), and set back an hour, a feed
    /// silent since looked fresh for the hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Readiness_JudgesTheFeedByTheTimeElapsedSinceItsLastData_WhenTheWallClockStepsAnHour(int hours)
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var pump = new MarketFeedPump(new OneTradeFeed(clock), cluster.Cluster.Client, clock, NullLogger<MarketFeedPump>.Instance);
        var readiness = new FeedHealthCheck(pump, clock, TimeSpan.FromSeconds(30), AlwaysOpenCalendar.Instance, FeedHours.ExtendedSession);
        var ct = TestContext.Current.CancellationToken;
        await pump.StartAsync(ct);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(pump.LastReceivedAt), at => at is not null, "the trade to arrive");

            clock.Skew = TimeSpan.FromHours(hours);
            time.Advance(TimeSpan.FromSeconds(1));
            var fresh = await readiness.CheckHealthAsync(new HealthCheckContext(), ct);
            Assert.True(fresh.Status == HealthStatus.Healthy, fresh.Description);

            time.Advance(TimeSpan.FromSeconds(30));
            var silent = await readiness.CheckHealthAsync(new HealthCheckContext(), ct);
            Assert.True(silent.Status == HealthStatus.Unhealthy, silent.Description);
        }
        finally
        {
            await pump.StopAsync(ct);
        }
    }

    /// <summary>
    /// Before a feed's first event readiness grants a grace from the pump's start, which was the wall time then: an hour
    /// forward, a feed a second into its start failed readiness ("delivered nothing since"), and an hour back, a feed that
    /// never delivered stayed "starting" for the hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Readiness_GivesAStartingFeedItsGraceInElapsedTime_WhenTheWallClockStepsAnHour(int hours)
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var pump = new MarketFeedPump(new SilentFeed(), cluster.Cluster.Client, clock, NullLogger<MarketFeedPump>.Instance);
        var readiness = new FeedHealthCheck(pump, clock, TimeSpan.FromSeconds(30), AlwaysOpenCalendar.Instance, FeedHours.ExtendedSession);
        var ct = TestContext.Current.CancellationToken;

        clock.Skew = TimeSpan.FromHours(hours);
        time.Advance(TimeSpan.FromSeconds(1));
        var starting = await readiness.CheckHealthAsync(new HealthCheckContext(), ct);
        Assert.True(starting.Status == HealthStatus.Healthy, starting.Description);

        time.Advance(TimeSpan.FromSeconds(30));
        var silent = await readiness.CheckHealthAsync(new HealthCheckContext(), ct);
        Assert.True(silent.Status == HealthStatus.Unhealthy, silent.Description);
    }

    /// <summary>
    /// A symbol's own staleness (its quote's <c>isStale</c>, warning 5301) compared its last receipt with the wall clock: an
    /// hour forward, a symbol that printed a second before was stale; an hour back, one silent since was fresh for the hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ASymbol_IsStaleByTheTimeElapsedSinceItsLastTick_WhenTheWallClockStepsAnHour(int hours)
    {
        var time = new FakeTimeProvider(Monday);
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        await Market.TradeAsync(cluster, "STEP", 10m);

        clock.Skew = TimeSpan.FromHours(hours);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await cluster.Symbol("STEP").GetQuoteAsync()).IsStale, "a symbol that printed a second ago is stale");

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await cluster.Symbol("STEP").GetQuoteAsync()).IsStale, "a symbol silent for 31 s is fresh");
    }

    /// <summary>
    /// A live bar with no later trade closes on the clock. Read afresh, a wall clock stepped an hour forward closed the
    /// open minute at once: the venue's next print of that minute (stamped by the venue, not by the silo) was counted late
    /// and left out, and the strategies got a bar without it.
    /// </summary>
    [Fact]
    public async Task AnOpenBar_KeepsTheVenuesLaterPrintsOfItsInterval_WhenTheWallClockStepsAnHourForward()
    {
        var time = new FakeTimeProvider(Monday.AddSeconds(10));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = clock });
        var symbol = cluster.Symbol("BARS");
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("BARS", Monday.AddSeconds(10), 40m, 100m)] })).Accepted);

        clock.Skew = TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("BARS", Monday.AddSeconds(12), 40.5m, 300m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("BARS", Monday.AddSeconds(61), 41m, 100m)] })).Accepted);

        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal((Monday, 40m, 40.5m, 400m), (bar.Start, bar.Open, bar.Close, bar.Volume));
    }

    /// <summary>One trade stamped with the clock, then silence.</summary>
    private sealed class OneTradeFeed(TimeProvider time) : IMarketDataFeed
    {
        public string Name => "one-trade";

        public FeedHealth GetHealth() => throw new NotSupportedException();

        public async IAsyncEnumerable<MarketDataEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new TradeEvent(new TradeTick("STEP", time.GetUtcNow(), 10m, 100m));
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
