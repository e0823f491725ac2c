using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Tests.Support;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Tests.Csv;

/// <summary>Replays the shared real data (skipped, visibly, when it is absent).</summary>
public sealed class RealMarketDataTests
{
    private static long DataRows(string gzipPath)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress));
        long rows = -1;
        while (reader.ReadLine() is not null)
        {
            rows++;
        }

        return rows;
    }

    private static CsvReplayFeed Feed(string root, string symbol, CsvFileKind kind, bool validate) =>
        new(null,
            new CsvReplayOptions
            {
                DataPath = root,
                Symbols = { symbol },
                Kinds = { kind },
                StartDate = new DateOnly(2013, 10, 7),
                EndDate = new DateOnly(2013, 10, 7),
                Validate = validate,
            },
            new TickValidatorOptions(),
            TimeProvider.System,
            NullLogger.Instance);

    [Fact]
    public async Task Replay_SpyTradeTicks_DeliversEveryRow_InOrderOrCounted()
    {
        var root = MarketDataFolder.Require();
        var expected = DataRows(Path.Combine(root, "ticks", "SPY", "2013-10-07.trades.csv.gz"));
        var feed = Feed(root, "SPY", CsvFileKind.TradeTicks, validate: false);
        long count = 0;
        long backwards = 0;
        var last = DateTimeOffset.MinValue;

        await foreach (var e in feed.ReadAsync(TestContext.Current.CancellationToken))
        {
            if (e is TradeEvent trade)
            {
                count++;
                if (trade.AvailableAt < last)
                {
                    backwards++;
                }
                else
                {
                    last = trade.AvailableAt;
                }
            }
        }

        var health = feed.GetHealth();
        Assert.Equal(expected, count);
        Assert.Equal(backwards, health.OutOfOrderEvents);
        Assert.Equal(0, health.TotalMalformed);
        Assert.Equal(count, health.EventsDelivered);
    }

    [Fact]
    public async Task Replay_SpyTradeTicks_ThroughValidator_AccountsForEveryRow()
    {
        var root = MarketDataFolder.Require();
        var expected = DataRows(Path.Combine(root, "ticks", "SPY", "2013-10-07.trades.csv.gz"));
        var feed = Feed(root, "SPY", CsvFileKind.TradeTicks, validate: true);

        var delivered = await feed.ReadAsync(TestContext.Current.CancellationToken).OfType<TradeEvent>().CountAsync(TestContext.Current.CancellationToken);

        var health = feed.GetHealth();
        Assert.Equal(expected, delivered + health.TotalRejected);

        // Identical prints in the same millisecond are real trades, distinct rows: none may be called a duplicate.
        Assert.False(health.RejectedByReason.ContainsKey(RejectionReason.Duplicate));
    }

    [Fact]
    public async Task Replay_BacQuoteTicks_OneSidedQuotesRejected_TotalsAddUp()
    {
        var root = MarketDataFolder.Require();
        var expected = DataRows(Path.Combine(root, "ticks", "BAC", "2013-10-07.quotes.csv.gz"));
        var feed = Feed(root, "BAC", CsvFileKind.QuoteTicks, validate: false);
        var validator = new TickValidator();
        long oneSided = 0;
        long rows = 0;

        await foreach (var e in feed.ReadAsync(TestContext.Current.CancellationToken))
        {
            if (e is QuoteEvent quote)
            {
                rows++;
                if (!quote.Quote.IsTwoSided)
                {
                    oneSided++;
                }

                validator.Validate(quote);
            }
        }

        var counters = validator.GetCounters();
        Assert.Equal(expected, rows);
        Assert.Equal(rows, counters.Total);
        Assert.Equal(oneSided, counters.RejectedByReason.GetValueOrDefault(RejectionReason.OneSidedQuote));
        Assert.True(oneSided > 0);
    }
}
