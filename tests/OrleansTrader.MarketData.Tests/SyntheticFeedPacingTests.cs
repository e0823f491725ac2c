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
}
