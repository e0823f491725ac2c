using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Synthetic;

public sealed class SyntheticFeedTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 14, 30, 0, TimeSpan.Zero);

    private static SyntheticFeedOptions Options(ulong seed, long steps, bool paced = false)
    {
        var options = new SyntheticFeedOptions { Seed = seed, MaxSteps = steps, Paced = paced, StartTime = Start };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA", StartPrice = 100m, Drift = 0.05, Volatility = 0.3 });
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "BBB", StartPrice = 2.50m, Drift = -0.1, Volatility = 0.8 });
        return options;
    }

    private static Task<List<MarketDataEvent>> Read(SyntheticFeedOptions options, TimeProvider? time = null) =>
        new SyntheticFeed(options, time ?? TimeProvider.System, NullLogger.Instance)
            .ReadAsync(TestContext.Current.CancellationToken)
            .Where(e => e is not FeedStatusEvent)
            .ToListAsync(TestContext.Current.CancellationToken)
            .AsTask();

    [Fact]
    public async Task ReadAsync_SameSeed_GivesIdenticalSequence()
    {
        var first = await Read(Options(42, 500));
        var second = await Read(Options(42, 500));
        var other = await Read(Options(43, 500));

        Assert.Equal(2000, first.Count);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task ReadAsync_QuotesAreTwoSided_WithSpreadOfAtLeastOneCent_AndPositivePrices()
    {
        var events = await Read(Options(7, 2000));

        var quotes = events.OfType<QuoteEvent>().Select(q => q.Quote).ToList();
        var trades = events.OfType<TradeEvent>().Select(t => t.Trade).ToList();
        Assert.Equal(4000, quotes.Count);
        Assert.All(quotes, q =>
        {
            Assert.True(q.IsTwoSided);
            Assert.True(q.AskPrice - q.BidPrice >= 0.01m, $"spread {q.BidPrice}/{q.AskPrice}");
            Assert.Equal(q.BidPrice, decimal.Round(q.BidPrice, 2));
            Assert.Equal(q.AskPrice, decimal.Round(q.AskPrice, 2));
        });
        Assert.All(trades, t =>
        {
            Assert.True(t.Price > 0m);
            Assert.Equal(t.Price, decimal.Round(t.Price, 2));
            Assert.True(t.Size is >= 1m and <= 1000m);
        });
        Assert.Contains(trades, t => t.Size % 100m != 0m);
        Assert.True(trades.Count(t => t.Size % 100m == 0m) > trades.Count / 2);

        // For a $100 stock one to five basis points is 1-5 cents.
        var aaa = quotes.Where(q => q.Symbol == "AAA" && q.BidPrice is > 80m and < 125m).ToList();
        Assert.All(aaa, q => Assert.InRange(q.AskPrice - q.BidPrice, 0.01m, 0.08m));
    }

    [Fact]
    public async Task ReadAsync_TimestampsAdvanceByTickInterval()
    {
        var events = await Read(Options(1, 3));

        Assert.Equal([Start, Start, Start, Start, Start.AddSeconds(1), Start.AddSeconds(1), Start.AddSeconds(1), Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(2), Start.AddSeconds(2), Start.AddSeconds(2)],
            events.Select(e => e.AvailableAt));
    }

    [Fact]
    public async Task ReadAsync_Paced_WaitsForTheClock()
    {
        var clock = new ManualTimeProvider(Start);
        var options = Options(1, 3, paced: true);
        var feed = new SyntheticFeed(options, clock, NullLogger.Instance);
        var ct = TestContext.Current.CancellationToken;
        await using var e = feed.ReadAsync(ct).Where(x => x is TradeEvent).GetAsyncEnumerator(ct);

        Assert.True(await e.MoveNextAsync());
        Assert.True(await e.MoveNextAsync());
        var third = e.MoveNextAsync();
        Assert.False(third.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await third);
        Assert.Equal(Start.AddSeconds(1), e.Current.AvailableAt);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ReportsDisconnected()
    {
        var feed = new SyntheticFeed(Options(1, 100), TimeProvider.System, NullLogger.Instance);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in feed.ReadAsync(cts.Token))
            {
                if (e is TradeEvent)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(FeedState.Disconnected, feed.GetHealth().State);
    }

    [Fact]
    public void GbmProcess_LogReturns_MatchDriftAndVolatility()
    {
        const int Steps = 10_000;
        var stepYears = 60.0 / SyntheticFeedOptions.TradingSecondsPerYear;
        var process = new GbmProcess(100.0, 0.08, 0.25, stepYears, new SeededRandom(2026));
        var returns = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            returns[i] = process.Step();
        }

        var mean = returns.Average();
        var variance = returns.Sum(r => (r - mean) * (r - mean)) / (Steps - 1);
        var expectedVariance = process.StepStdDev * process.StepStdDev;

        // Mean within 4 standard errors; sample variance within 5% (its standard error is about 1.4% here).
        Assert.InRange(mean, process.StepMean - (4 * process.StepStdDev / Math.Sqrt(Steps)), process.StepMean + (4 * process.StepStdDev / Math.Sqrt(Steps)));
        Assert.InRange(variance / expectedVariance, 0.95, 1.05);
        Assert.Equal(0.25 * Math.Sqrt(stepYears), process.StepStdDev, 12);
    }

    [Fact]
    public void SeededRandom_NormalSamples_AreStandard()
    {
        var random = new SeededRandom(9);
        var samples = Enumerable.Range(0, 20_000).Select(_ => random.NextNormal()).ToArray();

        var mean = samples.Average();
        var variance = samples.Sum(s => (s - mean) * (s - mean)) / (samples.Length - 1);

        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.96, 1.04);
    }

    [Fact]
    public void Constructor_RejectsInvalidOptions()
    {
        var options = new SyntheticFeedOptions();

        var ex = Assert.Throws<ArgumentException>(() => new SyntheticFeed(options, TimeProvider.System, NullLogger.Instance));

        Assert.Contains("Symbols", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A drift far beyond any market's (a typo: 5 for 5 % is already 500 % a year, 1e12 is a unit mix-up) is finite, so it
    /// passed, and the feed threw OverflowException on its second step, in the silo's pump, again on every restart.
    /// The settings are refused at startup instead, naming the setting.
    /// </summary>
    [Fact]
    public async Task Constructor_RejectsADrift_ThatWouldOverflowThePrice()
    {
        var options = Options(1, 3);
        options.Symbols[0].Drift = 1e12;

        var ex = await Record.ExceptionAsync(() => Read(options));

        var refused = Assert.IsType<ArgumentException>(ex);
        Assert.Contains("Drift of 'AAA'", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The highest accepted drift with a high volatility over a long run: 50,000 steps of a day each (the process counts
    /// 6.5 trading hours a day, so some 740 trading years). The unbounded path left decimal's range and the feed died with
    /// an OverflowException in its pump (again on every restart); on shorter runs it published prices no order may
    /// have. The path is now reflected inside one cent to the instruments' price limit.
    /// </summary>
    [Fact]
    public async Task ReadAsync_HighestVolatility_LongRun_StaysInsideThePriceBand()
    {
        var options = new SyntheticFeedOptions { Seed = 5, MaxSteps = 50_000, Paced = false, StartTime = Start, TickInterval = TimeSpan.FromDays(1) };
        options.Symbols.Add(new SyntheticSymbolOptions
        {
            Symbol = "AAA", StartPrice = 100m, Drift = SyntheticFeedOptionsValidator.MaxAnnualRate, Volatility = 4.4,
        });

        var trades = (await Read(options)).OfType<TradeEvent>().Select(t => t.Trade.Price).ToList();

        Assert.Equal(50_000, trades.Count);
        Assert.All(trades, price => Assert.InRange(price, 0.01m, 1_000_000m));
        Assert.Contains(trades, price => price > 100_000m);
        Assert.Contains(trades, price => price < 1m);
    }

    [Theory]
    [InlineData("StartPrice")]
    [InlineData("MaxSpreadBps")]
    public void Constructor_RejectsAStartPriceOrSpread_PastItsBound(string setting)
    {
        var options = Options(1, 3);
        if (setting == "StartPrice")
        {
            options.Symbols[0].StartPrice = 2_000_000m;
        }
        else
        {
            options.MaxSpreadBps = 20_000m;
        }

        var ex = Assert.Throws<ArgumentException>(() => new SyntheticFeed(options, TimeProvider.System, NullLogger.Instance));

        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }
}
