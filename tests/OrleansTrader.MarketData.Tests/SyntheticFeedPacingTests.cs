using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests;

/// <summary>
/// The paced synthetic feed (the silo's default feed, one tick per second) stamps its ticks start + step x interval
/// while it waits a whole interval after each step. Every step's own time (the consumer, the scheduler's latency) then
/// adds to the gap between the ticks' timestamps and the clock, without bound: after enough steps every quote is older
/// than the risk engine's MaxQuoteAge (30 s) the moment it is published, and every order is denied QUOTE_STALE.
/// </summary>
public sealed class SyntheticFeedPacingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task PacedTicks_StayWithinOneIntervalOfTheClock_WhenEachStepTakesSomeTime()
    {
        var clock = new ManualTimeProvider(Start);
        var options = new SyntheticFeedOptions { Seed = 7, MaxSteps = 100, Paced = true, TickInterval = TimeSpan.FromSeconds(1) };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA", StartPrice = 100m, Drift = 0.0, Volatility = 0.2 });
        var ct = TestContext.Current.CancellationToken;
        await using var e = new SyntheticFeed(options, clock, NullLogger.Instance).ReadAsync(ct).Where(x => x is TradeEvent).GetAsyncEnumerator(ct);

        var worst = TimeSpan.Zero;
        for (var step = 0; step < 100; step++)
        {
            var next = e.MoveNextAsync().AsTask();
            while (!next.IsCompleted)
            {
                if (clock.PendingTimers > 0)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(50));
                }
                else
                {
                    await Task.Yield();
                }
            }

            Assert.True(await next);
            var age = clock.GetUtcNow() - e.Current.AvailableAt;
            worst = age > worst ? age : worst;

            // The consumer (the pump, the symbol grains) takes 50 ms per step.
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(worst <= TimeSpan.FromSeconds(1), $"a tick was published {worst.TotalSeconds} s after its own timestamp");
    }

    /// <summary>
    /// Paced against the wall clock, the feed took a clock set back an hour (an operator's mistake, NTP stepping a clock
    /// that ran fast) for an hour to wait: silent for that hour, it made readiness fail and the global breaker's
    /// stale-data trigger put every account in REDUCING.
    /// </summary>
    [Fact]
    public async Task PacedTicks_GoOnAnIntervalLater_WhenTheWallClockIsSetBackAnHour()
    {
        var clock = new ManualTimeProvider(Start);
        await using var ticks = PacedTrades(clock);
        await NextAsync(clock, ticks);

        clock.Step(-TimeSpan.FromHours(1));
        var (next, elapsed) = await NextAsync(clock, ticks);

        Assert.True(next, $"no tick within {elapsed.TotalSeconds} s of the clock being set back");
        Assert.True(elapsed <= TimeSpan.FromSeconds(1), $"the next tick came {elapsed.TotalSeconds} s after the one before");
        Assert.Equal(clock.GetUtcNow(), ticks.Current.AvailableAt);
    }

    /// <summary>
    /// Set forward (a host resumed after days suspended, a clock set forward), the feed sent every step it had missed at
    /// once: three days of ticks stamped in the past, a flood for the symbols' streams and bars for days that had gone.
    /// </summary>
    [Fact]
    public async Task PacedTicks_GoOnFromTheClock_WhenTheWallClockIsSetForwardThreeDays()
    {
        var clock = new ManualTimeProvider(Start);
        await using var ticks = PacedTrades(clock);
        await NextAsync(clock, ticks);

        clock.Step(TimeSpan.FromDays(3));
        await NextAsync(clock, ticks);
        var resumedAt = ticks.Current.AvailableAt;
        var (next, elapsed) = await NextAsync(clock, ticks);

        Assert.Equal(Start + TimeSpan.FromDays(3), resumedAt);
        Assert.True(next);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.1));
        Assert.Equal(resumedAt + TimeSpan.FromSeconds(1), ticks.Current.AvailableAt);
    }

    private static IAsyncEnumerator<MarketDataEvent> PacedTrades(ManualTimeProvider clock)
    {
        var options = new SyntheticFeedOptions { Seed = 7, MaxSteps = 100, Paced = true, TickInterval = TimeSpan.FromSeconds(1) };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA", StartPrice = 100m, Drift = 0.0, Volatility = 0.2 });
        var ct = TestContext.Current.CancellationToken;
        return new SyntheticFeed(options, clock, NullLogger.Instance).ReadAsync(ct).Where(x => x is TradeEvent).GetAsyncEnumerator(ct);
    }

    /// <summary>The next trade (false when none came), moving the clock 50 ms at a time while the feed waits, for at most 10 s, and the time that took.</summary>
    private static async Task<(bool Next, TimeSpan Elapsed)> NextAsync(ManualTimeProvider clock, IAsyncEnumerator<MarketDataEvent> ticks)
    {
        var started = clock.GetTimestamp();
        var next = ticks.MoveNextAsync().AsTask();
        while (!next.IsCompleted && clock.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            if (clock.PendingTimers > 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(50));
            }
            else
            {
                await Task.Yield();
            }
        }

        var (completed, elapsed) = (next.IsCompleted, clock.GetElapsedTime(started));
        if (!completed)
        {
            // Lets a wait the test gave up on end, so the feed can be disposed.
            clock.Advance(TimeSpan.FromDays(4));
        }

        return (completed && await next, elapsed);
    }
}
