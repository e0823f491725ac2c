using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Synthetic;

/// <summary>
/// The silo's synthetic feed under the NYSE calendar printed every second of a weekend: marks (and so equity) moved
/// while the market was closed, and the demo strategy's signals were denied MARKET_CLOSED every few seconds all weekend.
/// </summary>
public sealed class SyntheticFeedCalendarTests
{
    // Saturday 2026-12-05 05:40 UTC; the next session opens for extended hours on Monday 2026-12-07 04:00 New York.
    private static readonly DateTimeOffset Saturday = new(2026, 12, 5, 5, 40, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MondayPreMarket = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PacedFeed_WithTheNyseCalendar_PublishesNothingUntilTheNextSessionOpens()
    {
        var clock = new ManualTimeProvider(Saturday);
        var options = new SyntheticFeedOptions { Seed = 3, MaxSteps = 3, Paced = true, TickInterval = TimeSpan.FromSeconds(1), Calendar = NyseCalendar.Instance };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA", StartPrice = 100m, Drift = 0.0, Volatility = 0.2 });
        var ct = TestContext.Current.CancellationToken;
        await using var e = new SyntheticFeed(options, clock, NullLogger.Instance).ReadAsync(ct).Where(x => x is TradeEvent).GetAsyncEnumerator(ct);

        var trades = new List<MarketDataEvent>();
        for (var step = 0; step < 3; step++)
        {
            var next = e.MoveNextAsync().AsTask();
            while (!next.IsCompleted)
            {
                if (clock.NextDueAt is { } due)
                {
                    clock.Advance(due - clock.GetUtcNow());
                }
                else
                {
                    await Task.Yield();
                }
            }

            Assert.True(await next);
            trades.Add(e.Current);
        }

        Assert.All(trades, t => Assert.True(t.AvailableAt >= MondayPreMarket, $"a trade was printed at {t.AvailableAt:O}, while the market was closed"));
        Assert.Equal(MondayPreMarket, trades[0].AvailableAt);
        Assert.Equal(MondayPreMarket.AddSeconds(2), trades[2].AvailableAt);
    }
}
