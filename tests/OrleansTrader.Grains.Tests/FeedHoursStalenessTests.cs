using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Health;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Stale market data is judged only over the hours the feed delivers. Alpaca's default feed is IEX, which trades and
/// quotes 08:00-17:00 New York: judged over the NYSE calendar's whole extended session (04:00-20:00), its silence tripped
/// the global breaker (every account) to REDUCING at about 04:01 and 17:01 every trading day, and failed readiness then.
/// </summary>
public sealed class FeedHoursStalenessTests
{
    // Tuesday 2026-03-10 in New York (EDT, UTC-4); Friday 2026-11-27 is an early close (regular 13:00, after-hours 17:00).
    private static readonly DateTimeOffset Tuesday1659 = At(2026, 3, 10, 16, 59, 30);
    private static readonly DateTimeOffset Wednesday0359 = At(2026, 3, 11, 3, 59, 0);
    private static readonly DateTimeOffset Tuesday1000 = At(2026, 3, 10, 10, 0, 0);

    [Fact]
    public async Task AnIexFeedSilentAfter1700_DoesNotTripTheGlobalBreaker()
    {
        var time = new FakeTimeProvider(Tuesday1659);
        await using var cluster = await StartAsync(time);
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);

        // 17:01: IEX's post-market has ended, the NYSE after-hours session runs on to 20:00.
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);
    }

    [Fact]
    public async Task AnIexFeedSilentBefore0800_DoesNotTripTheGlobalBreaker()
    {
        var time = new FakeTimeProvider(Wednesday0359);
        await using var cluster = await StartAsync(time);
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(Tuesday1659)).State);

        // 04:01:30: the NYSE pre-market opened at 04:00, IEX's opens at 08:00.
        time.Advance(TimeSpan.FromSeconds(150));
        Assert.Equal(TradingState.Active, (await global.EvaluateAsync()).State);
    }

    [Fact]
    public async Task AnIexFeedSilentInItsHours_TripsTheGlobalBreaker()
    {
        var time = new FakeTimeProvider(Tuesday1000);
        await using var cluster = await StartAsync(time);
        var global = cluster.Breaker(BreakerKeys.Global);
        Assert.Equal(TradingState.Active, (await global.ReportMarketDataAsync(time.GetUtcNow())).State);

        time.Advance(TimeSpan.FromSeconds(90));
        var evaluated = await global.EvaluateAsync();
        Assert.Equal(TradingState.Reducing, evaluated.State);
        Assert.Equal(BreakerTrigger.StaleMarketData, evaluated.LastTrigger);
    }

    [Fact]
    public async Task Readiness_IsHealthyWhileAnIexFeedIsSilentAfter1700_ButNotInItsHours()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());

        var evening = new FakeTimeProvider(Tuesday1659);
        var eveningCheck = Check(cluster, evening);
        evening.Advance(TimeSpan.FromSeconds(90));
        var afterHours = await eveningCheck.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, afterHours.Status);

        var morning = new FakeTimeProvider(Tuesday1000);
        var morningCheck = Check(cluster, morning);
        morning.Advance(TimeSpan.FromSeconds(90));
        var inHours = await morningCheck.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Unhealthy, inHours.Status);
    }

    [Fact]
    public void IexHours_AreJudgedFrom0800_Until1700_AndOnAnEarlyClose_UntilTheRegularClose()
    {
        var calendar = NyseCalendar.Instance;
        var lastEvening = Tuesday1659;
        Assert.Null(MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, lastEvening, At(2026, 3, 10, 17, 0, 0)));
        Assert.Null(MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, lastEvening, At(2026, 3, 11, 7, 59, 59)));
        Assert.Equal(At(2026, 3, 11, 8, 0, 0), MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, lastEvening, At(2026, 3, 11, 8, 5, 0)));
        Assert.Equal(lastEvening, MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, lastEvening, At(2026, 3, 10, 16, 59, 59)));

        // Early close: what IEX's post-market does after the 13:00 close is not assumed, so it is not judged then.
        var earlyLast = At(2026, 11, 27, 12, 59, 0);
        Assert.Equal(earlyLast, MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, earlyLast, At(2026, 11, 27, 12, 59, 59)));
        Assert.Null(MarketDataFreshness.JudgedFrom(calendar, FeedHours.Iex, earlyLast, At(2026, 11, 27, 13, 0, 0)));

        // The whole extended session (SIP, the synthetic feed) as before: 04:00-20:00, 17:00 on an early close.
        Assert.Equal(lastEvening, MarketDataFreshness.JudgedFrom(calendar, FeedHours.ExtendedSession, lastEvening, At(2026, 3, 10, 19, 0, 0)));
        Assert.Equal(At(2026, 3, 11, 4, 0, 0), MarketDataFreshness.JudgedFrom(calendar, FeedHours.ExtendedSession, lastEvening, At(2026, 3, 11, 4, 5, 0)));
        Assert.Equal(earlyLast, MarketDataFreshness.JudgedFrom(calendar, FeedHours.ExtendedSession, earlyLast, At(2026, 11, 27, 16, 59, 0)));
        Assert.Null(MarketDataFreshness.JudgedFrom(calendar, FeedHours.ExtendedSession, earlyLast, At(2026, 11, 27, 17, 0, 0)));

        // The always-open calendar judges around the clock whatever the feed's hours.
        Assert.Equal(lastEvening, MarketDataFreshness.JudgedFrom(AlwaysOpenCalendar.Instance, FeedHours.Iex, lastEvening, At(2026, 3, 10, 19, 0, 0)));
    }

    [Theory]
    [InlineData("iex", 8, 0)]
    [InlineData("delayed_sip", 4, 15)]
    [InlineData("sip", null, null)]
    [InlineData("test", null, null)]
    public void AlpacaFeeds_DeclareTheirHours(string feed, int? fromHour, int? fromMinute)
    {
        var from = fromHour is { } h ? new TimeOnly(h, fromMinute!.Value) : (TimeOnly?)null;
        Assert.Equal(from, FeedHours.ForAlpaca(feed).From);
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time) =>
        TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance, FeedHours = FeedHours.Iex });

    /// <summary>A check over a pump that has heard nothing since it started (at the clock's time), never run.</summary>
    private static FeedHealthCheck Check(TradingCluster cluster, FakeTimeProvider time) =>
        new(new MarketFeedPump(new SilentFeed(), cluster.Cluster.Client, time, NullLogger<MarketFeedPump>.Instance),
            time, TimeSpan.FromSeconds(30), NyseCalendar.Instance, FeedHours.Iex);

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute, int second) =>
        NyseCalendar.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute, second));
}
