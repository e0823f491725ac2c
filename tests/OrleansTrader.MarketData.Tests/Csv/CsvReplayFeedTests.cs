using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Tests.Support;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Tests.Csv;

public sealed class CsvReplayFeedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CsvReplayFeed Feed(IReadOnlyList<CsvSource> sources, bool validate = false, double speed = 0, TimeProvider? time = null) =>
        new(sources, new CsvReplayOptions { Validate = validate, SpeedFactor = speed }, new TickValidatorOptions(),
            time ?? TimeProvider.System, NullLogger.Instance);

    private static async Task<List<MarketDataEvent>> Data(IMarketDataFeed feed) =>
        await feed.ReadAsync(TestContext.Current.CancellationToken).Where(e => e is not FeedStatusEvent).ToListAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task ReadAsync_ParsesMinuteTradeBars_AsBarsEndingAtMinuteEnd()
    {
        var path = _dir.Write("bars.csv", "time,open,high,low,close,volume\n2013-10-07T09:30:00.000-04:00,167.41,167.5,167.25,167.27,3197\n");

        var events = await Data(Feed([new CsvSource(path, "SPY", CsvFileKind.MinuteTradeBars)]));

        var bar = Assert.IsType<BarEvent>(Assert.Single(events)).Bar;
        Assert.Equal(new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero), bar.Start);
        Assert.Equal(TimeSpan.Zero, bar.Start.Offset);
        Assert.Equal(TimeSpan.FromMinutes(1), bar.Interval);
        Assert.Equal((167.41m, 167.5m, 167.25m, 167.27m, 3197m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal("SPY", bar.Symbol);
    }

    [Fact]
    public async Task ReadAsync_ParsesMinuteQuoteBars_AsClosingQuote()
    {
        var path = _dir.Write("q.csv",
            "time,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size\n" +
            "2013-10-07T04:00:00.000-04:00,167.27,167.27,167.15,167.25,300,168,168,167.26,167.27,20000\n");

        var events = await Data(Feed([new CsvSource(path, "SPY", CsvFileKind.MinuteQuoteBars)]));

        var quote = Assert.IsType<QuoteEvent>(Assert.Single(events)).Quote;
        Assert.Equal(new DateTimeOffset(2013, 10, 7, 8, 1, 0, TimeSpan.Zero), quote.Timestamp);
        Assert.Equal((167.25m, 300m, 167.27m, 20000m), (quote.BidPrice, quote.BidSize, quote.AskPrice, quote.AskSize));
    }

    [Fact]
    public async Task ReadAsync_ParsesGzipTradeTicks()
    {
        var path = _dir.Write("t.csv.gz",
            "time,price,size,exchange,condition,suspicious\n2013-10-07T04:00:00.464-04:00,167.41,100,P,20002000,0\n" +
            "2013-10-07T04:00:00.465-04:00,167.42,1400,Q,,1\n", gzip: true);

        var events = await Data(Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]));

        Assert.Equal(2, events.Count);
        var first = Assert.IsType<TradeEvent>(events[0]);
        Assert.Equal(new DateTimeOffset(2013, 10, 7, 8, 0, 0, 464, TimeSpan.Zero), first.Trade.Timestamp);
        Assert.Equal((167.41m, 100m, "P", "20002000", false), (first.Trade.Price, first.Trade.Size, first.Trade.Exchange, first.Trade.Condition, first.Trade.Suspicious));
        Assert.Equal(2, first.SourceId);
        var second = Assert.IsType<TradeEvent>(events[1]);
        Assert.Null(second.Trade.Condition);
        Assert.True(second.Trade.Suspicious);
    }

    [Fact]
    public async Task ReadAsync_ParsesPlainQuoteTicks()
    {
        var path = _dir.Write("q.csv",
            "time,bid,bid_size,ask,ask_size,exchange,condition,suspicious\n2013-10-07T04:00:00.151-04:00,0,0,14.02,500,Q,1,0\n");

        var events = await Data(Feed([new CsvSource(path, "BAC", CsvFileKind.QuoteTicks)]));

        var quote = Assert.IsType<QuoteEvent>(Assert.Single(events)).Quote;
        Assert.Equal((0m, 0m, 14.02m, 500m, "Q", "1"), (quote.BidPrice, quote.BidSize, quote.AskPrice, quote.AskSize, quote.Exchange, quote.Condition));
        Assert.False(quote.IsTwoSided);
    }

    [Fact]
    public async Task ReadAsync_ParsesDailyBars_WithinDateRange()
    {
        var path = _dir.Write("daily.csv", "date,open,high,low,close,volume\n1998-01-02,97.31,97.53,96.53,97.36,2150000\n1998-01-05,97.84,98.44,96.78,97.75,4030800\n");
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.DailyBars)],
            new CsvReplayOptions { Validate = false, StartDate = new DateOnly(1998, 1, 3) },
            new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);

        var events = await Data(feed);

        var bar = Assert.IsType<BarEvent>(Assert.Single(events)).Bar;
        Assert.Equal(new DateTimeOffset(1998, 1, 5, 0, 0, 0, TimeSpan.Zero), bar.Start);
        Assert.Equal(TimeSpan.FromDays(1), bar.Interval);
        Assert.Equal(97.75m, bar.Close);
        Assert.Equal(0, feed.GetHealth().TotalMalformed);
    }

    [Fact]
    public async Task ReadAsync_ReportsBadRows_WithReasonsAndCountsThem()
    {
        var path = _dir.Write("t.csv",
            "time,price,size,exchange,condition,suspicious\n" +
            "2013-10-07T04:00:00.464-04:00,167.41,100,P,1,0\n" +
            "2013-10-07T04:00:00.465,167.41,100,P,1,0\n" +      // line 3: no offset
            "2013-10-07T04:00:00.466-04:00,1,67.41,100,P,1,0\n" + // line 4: extra column
            "2013-10-07T04:00:00.467-04:00,16a.41,100,P,1,0\n" +  // line 5: bad number
            "2013-10-07T04:00:00.468-04:00,167.41,100,P,1,2\n" +  // line 6: bad flag
            "2013-10-07T04:00:00.469-04:00,167.43,100,P,1,0\n");
        var errors = new List<CsvRowError>();
        var reader = CsvFileReader.Open(new CsvSource(path, "SPY", CsvFileKind.TradeTicks), errors.Add);
        var rows = 0;
        while (reader.TryReadNext(out _))
        {
            rows++;
        }

        reader.Dispose();
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]);
        var events = await Data(feed);

        Assert.Equal(2, rows);
        Assert.Equal([3L, 4L, 5L, 6L], errors.Select(e => e.Line));
        Assert.Equal(
            [MalformedReason.Timestamp, MalformedReason.ColumnCount, MalformedReason.Number, MalformedReason.Flag],
            errors.Select(e => e.Reason));
        Assert.All(errors, e => Assert.Equal(path, e.File));
        Assert.Equal(2, events.Count);
        var health = feed.GetHealth();
        Assert.Equal(4, health.TotalMalformed);
        Assert.Equal(1, health.MalformedByReason[MalformedReason.Flag]);
    }

    [Fact]
    public async Task ReadAsync_FailsClearly_OnWrongHeader()
    {
        var path = _dir.Write("wrong.csv", "time,open,high,low,close\n2013-10-07T04:00:00.000-04:00,1,1,1,1\n");

        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.MinuteTradeBars)]);
        var ex = await Assert.ThrowsAsync<CsvFormatException>(() => Data(feed));

        Assert.Equal(path, ex.File);
        Assert.Equal(FeedState.Degraded, feed.GetHealth().State);
        Assert.Equal(ex.Message, feed.GetHealth().LastErrorMessage);
        Assert.Contains("time,open,high,low,close,volume", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A minute bar is known at its end, the instant a trade of the next minute may be stamped with. The symbol grain puts a
    /// feed bar before the ticks stamped at or after its end within a batch; the replay must deliver them in that order too,
    /// or which of the two bars of that minute goes out (the feed's, or the one its trades built: the first wins, the other
    /// is a duplicate) depended on where the pump's batches happened to split, and a replay run twice published different
    /// bars (on the shared SPY data of 2013-10-08 five minutes of the day, such as 09:54 with a high of 167.46 or 167.47).
    /// </summary>
    [Fact]
    public async Task ReadAsync_DeliversABar_BeforeATickStampedAtItsEnd_WhateverTheFileOrder()
    {
        var trades = _dir.Write("trades.csv", "time,price,size,exchange,condition,suspicious\n" +
            "2013-10-07T09:30:30.000-04:00,10,100,P,,0\n2013-10-07T09:31:00.000-04:00,11,100,P,,0\n");
        var bars = _dir.Write("bars.csv", "time,open,high,low,close,volume\n2013-10-07T09:30:00.000-04:00,10,10,10,10,100\n");

        var events = await Data(Feed([
            new CsvSource(trades, "SPY", CsvFileKind.TradeTicks),
            new CsvSource(bars, "SPY", CsvFileKind.MinuteTradeBars),
        ]));

        Assert.Equal(["trade 09:30:30", "bar 09:31:00", "trade 09:31:00"], events.Select(e =>
            $"{(e is BarEvent ? "bar" : "trade")} {e.AvailableAt.ToOffset(TimeSpan.FromHours(-4)):HH:mm:ss}"));
    }

    [Fact]
    public async Task ReadAsync_MergesFilesAndSymbols_InDataTimeOrder()
    {
        const string header = "time,price,size,exchange,condition,suspicious\n";
        var a = _dir.Write("a.csv", header + "2013-10-07T09:30:00.001-04:00,10,100,P,,0\n2013-10-07T09:30:00.004-04:00,10,100,P,,0\n2013-10-07T09:30:00.005-04:00,10,100,P,,0\n");
        var b = _dir.Write("b.csv.gz", header + "2013-10-07T09:30:00.002-04:00,20,100,P,,0\n2013-10-07T09:30:00.003-04:00,20,100,P,,0\n2013-10-07T09:30:00.006-04:00,20,100,P,,0\n", gzip: true);
        var bars = _dir.Write("bars.csv", "time,open,high,low,close,volume\n2013-10-07T09:29:00.000-04:00,30,30,30,30,1\n");

        var events = await Data(Feed([
            new CsvSource(a, "AAA", CsvFileKind.TradeTicks),
            new CsvSource(b, "BBB", CsvFileKind.TradeTicks),
            new CsvSource(bars, "CCC", CsvFileKind.MinuteTradeBars),
        ]));

        // The 09:29 bar is known at 09:30:00.000, before the first tick.
        Assert.Equal(["CCC", "AAA", "BBB", "BBB", "AAA", "AAA", "BBB"], events.Select(e => e.Symbol));
        Assert.Equal(events.Select(e => e.AvailableAt).Order(), events.Select(e => e.AvailableAt));
    }

    [Fact]
    public async Task ReadAsync_Validates_AndCountsRejections()
    {
        var path = _dir.Write("q.csv",
            "time,bid,bid_size,ask,ask_size,exchange,condition,suspicious\n" +
            "2013-10-07T09:30:00.000-04:00,0,0,14.02,500,Q,1,0\n" +
            "2013-10-07T09:30:00.001-04:00,14.01,500,14.02,500,Q,1,0\n" +
            "2013-10-07T09:30:00.002-04:00,14.03,500,14.02,500,Q,1,0\n");
        var feed = Feed([new CsvSource(path, "BAC", CsvFileKind.QuoteTicks)], validate: true);

        var events = await Data(feed);

        Assert.Single(events);
        var health = feed.GetHealth();
        Assert.Equal(1, health.RejectedByReason[RejectionReason.OneSidedQuote]);
        Assert.Equal(1, health.RejectedByReason[RejectionReason.CrossedQuote]);
        Assert.Equal(FeedState.Completed, health.State);
    }

    [Fact]
    public async Task ReadAsync_AnAbsurdPriceOrSize_IsARejection_NotABadRow()
    {
        // Well-formed numbers, like a negative price: the validator refuses them, the parser does not.
        var path = _dir.Write("t.csv",
            "time,price,size,exchange,condition,suspicious\n" +
            "2013-10-07T09:30:00.000-04:00,100000000000000000000000000,100,P,0,0\n" +
            "2013-10-07T09:30:00.001-04:00,167.40,100000000000000000000,P,0,0\n" +
            "2013-10-07T09:30:00.002-04:00,167.40,100,P,0,0\n");
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)], validate: true);

        var events = await Data(feed);

        Assert.Equal(167.40m, Assert.IsType<TradeEvent>(Assert.Single(events)).Trade.Price);
        var health = feed.GetHealth();
        Assert.Equal(1, health.RejectedByReason[RejectionReason.PriceAboveMaximum]);
        Assert.Equal(1, health.RejectedByReason[RejectionReason.SizeAboveMaximum]);
        Assert.Equal(0, health.TotalMalformed);
    }

    [Fact]
    public async Task ReadAsync_AtFactor60_ReleasesOneDataMinutePerSecond()
    {
        var lines = string.Concat(Enumerable.Range(0, 4).Select(i => $"2013-10-07T09:{30 + i}:00.000-04:00,10,10,10,10,1\n"));
        var path = _dir.Write("bars.csv", "time,open,high,low,close,volume\n" + lines);
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.MinuteTradeBars)], speed: 60, time: clock);
        var received = new List<MarketDataEvent>();
        var ct = TestContext.Current.CancellationToken;
        var reading = Task.Run(async () =>
        {
            await foreach (var e in feed.ReadAsync(ct))
            {
                if (e is BarEvent)
                {
                    lock (received)
                    {
                        received.Add(e);
                    }
                }
            }
        }, ct);

        async Task<int> SettledCount()
        {
            // Wait until the reader is parked on the clock (or finished) before looking at what it released.
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
            while (clock.PendingTimers == 0 && !reading.IsCompleted && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(1, ct);
            }

            lock (received)
            {
                return received.Count;
            }
        }

        Assert.Equal(1, await SettledCount());
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, await SettledCount());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await SettledCount());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await SettledCount());
        clock.Advance(TimeSpan.FromSeconds(1));
        await reading;
        Assert.Equal(4, received.Count);
    }

    [Fact]
    public async Task ReadAsync_InSlowMotion_WaitsOutAGapLongerThanOneTimerCanHold()
    {
        // Friday's and Monday's bars at a hundredth of real time: the weekend is 300 days of wall time, more than the
        // 49.7 days one Task.Delay takes. The replay threw ArgumentOutOfRangeException at the weekend.
        var path = _dir.Write("daily.csv", "date,open,high,low,close,volume\n2013-10-04,10,10,10,10,1\n2013-10-07,11,11,11,11,1\n");
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.DailyBars)], speed: 0.01, time: clock);
        var ct = TestContext.Current.CancellationToken;
        var received = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var e in feed.ReadAsync(ct))
            {
                if (e is BarEvent)
                {
                    Interlocked.Increment(ref received);
                }
            }
        }, ct);

        async Task WaitParkedOrDone()
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
            while (clock.PendingTimers == 0 && !reading.IsCompleted && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(1, ct);
            }
        }

        await WaitParkedOrDone();
        Assert.False(reading.IsFaulted, reading.Exception?.InnerException?.ToString());
        Assert.Equal(1, Volatile.Read(ref received));
        clock.Advance(TimeSpan.FromDays(299));
        await WaitParkedOrDone();
        Assert.Equal(1, Volatile.Read(ref received));
        clock.Advance(TimeSpan.FromDays(1));
        await reading;
        Assert.Equal(2, received);
        Assert.Equal(FeedState.Completed, feed.GetHealth().State);
    }

    [Fact]
    public async Task ReadAsync_Paced_ARowStampedOffItsFilesDate_IsABadRow_NotAWaitOfYears()
    {
        // A typo in a 2013 day file: 2031. At factor 60 the replay waited 18 years / 60 (110 days) for it, without a word.
        var path = _dir.Write("ticks/SPY/2013-10-07.trades.csv",
            "time,price,size,exchange,condition,suspicious\n" +
            "2013-10-07T09:30:00.000-04:00,10,100,P,,0\n" +
            "2031-10-07T09:30:30.000-04:00,10,200,P,,0\n" +   // line 3: the typo
            "2013-10-07T09:31:00.000-04:00,10,300,P,,0\n" +
            "2013-10-07T20:00:00.000-04:00,10,400,P,,0\n" +   // the last minute of the session, 00:00 UTC the next day
            "2013-10-05T16:00:00.000-04:00,10,500,P,,0\n");   // line 6: two days before
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var logger = new CapturingLogger();
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.TradeTicks)], new CsvReplayOptions { SpeedFactor = 60 }, new TickValidatorOptions(), clock, logger);
        var ct = TestContext.Current.CancellationToken;
        var sizes = new List<decimal>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in feed.ReadAsync(ct))
            {
                if (e is TradeEvent trade)
                {
                    lock (sizes)
                    {
                        sizes.Add(trade.Trade.Size);
                    }
                }
            }
        }, ct);

        // 09:30 to 20:00 of data is 10.5 minutes at factor 60.
        for (var i = 0; i < 20 && !reading.IsCompleted; i++)
        {
            await WaitParkedOrDone(clock, reading);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal([100m, 300m, 400m], sizes);
        var health = feed.GetHealth();
        Assert.Equal(2, health.MalformedByReason[MalformedReason.OutsideFileDate]);
        Assert.Equal(0, health.OutOfOrderEvents);
        Assert.Contains(
            $"3010 Bad row in {path} line 3: OutsideFileDate (time '2031-10-07T09:30:30.000-04:00' is not on the file's date 2013-10-07)",
            string.Join('\n', logger.Lines),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ADailyRowDatedFarAfterBothItsNeighbours_IsABadRow_InEitherDateOrder()
    {
        // The daily file holds every date, so no file date bounds it: the 2031 typo went out, and at factor 60 the replay
        // waited 110 days for it.
        const string header = "date,open,high,low,close,volume\n";
        var ascending = _dir.Write("up.csv", header + "2013-10-03,10,10,10,10,1\n2013-10-04,10,10,10,10,2\n2031-10-07,10,10,10,10,3\n" +
            "2013-10-07,10,10,10,10,4\n2013-11-29,10,10,10,10,5\n");
        var descending = _dir.Write("down.csv", header + "2013-11-29,10,10,10,10,5\n2013-10-07,10,10,10,10,4\n2031-10-07,10,10,10,10,3\n" +
            "2013-10-04,10,10,10,10,2\n2013-10-03,10,10,10,10,1\n");

        foreach (var (path, volumes, typoLine) in new[] { (ascending, new[] { 1m, 2m, 4m, 5m }, 4L), (descending, new[] { 5m, 4m, 2m, 1m }, 4L) })
        {
            var errors = new List<CsvRowError>();
            var (read, badRows) = ReadDailyVolumes(path, errors);
            Assert.Equal(volumes, read);
            Assert.Equal(1, badRows);

            var error = Assert.Single(errors);
            Assert.Equal((typoLine, MalformedReason.FarOutOfOrder), (error.Line, error.Reason));
            Assert.Equal("date 2031-10-07 is more than 7 days after both the row before it and the row after it", error.Detail);
            var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.DailyBars)]);
            Assert.Equal(4, (await Data(feed)).Count);
            Assert.Equal(1, feed.GetHealth().MalformedByReason[MalformedReason.FarOutOfOrder]);
        }
    }

    [Fact]
    public async Task ReadAsync_ADailyFilesFirstOrLastRowDatedAYearAfterItsOneNeighbour_IsABadRow_AShorterGapIsNot()
    {
        // The end rows have one neighbour each, so the test for inner rows never judged them: a 2031 typo there went out.
        const string header = "date,open,high,low,close,volume\n";
        var first = _dir.Write("first.csv", header + "2031-01-04,10,10,10,10,1\n2021-01-04,10,10,10,10,2\n2021-01-05,10,10,10,10,3\n");
        var last = _dir.Write("last.csv", header + "2021-03-29,10,10,10,10,1\n2021-03-30,10,10,10,10,2\n2031-03-31,10,10,10,10,3\n");
        var gaps = _dir.Write("gaps.csv", header + "2021-01-04,10,10,10,10,1\n2020-01-06,10,10,10,10,2\n2020-01-07,10,10,10,10,3\n" +
            "2021-01-05,10,10,10,10,4\n");

        foreach (var (path, volumes, typo) in new[]
        {
            (first, new[] { 2m, 3m }, ((long Line, string Detail)?)(2L, "date 2031-01-04 (the file's first row) is 365 days or more after the row after it")),
            (last, new[] { 1m, 2m }, (4L, "date 2031-03-31 (the file's last row) is 365 days or more after the row before it")),
            (gaps, new[] { 1m, 2m, 3m, 4m }, null),
        })
        {
            var errors = new List<CsvRowError>();
            var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.DailyBars)]);
            Assert.Equal(volumes, ReadDailyVolumes(path, errors).Volumes);

            Assert.Equal(typo, errors.Select(e => ((long Line, string Detail)?)(e.Line, e.Detail)).SingleOrDefault());
            Assert.Equal(volumes.Length, (await Data(feed)).Count);
            Assert.Equal(typo is null ? 0 : 1, feed.GetHealth().MalformedByReason.GetValueOrDefault(MalformedReason.FarOutOfOrder));
        }
    }

    /// <summary>
    /// A typo that dates a daily row a year or more earlier (2011 for 2021) went out: as the first row, the catalog said the
    /// file began in 2011 and a paced replay, counting from its first row, waited ten years for the next. It is judged as the
    /// later typo is, both ways: a row more than 7 days before both neighbours, an end row a year or more before its one.
    /// </summary>
    [Fact]
    public async Task ReadAsync_ADailyRowDatedFarBeforeItsNeighbours_IsABadRow_AtEitherEndOrInside()
    {
        const string header = "date,open,high,low,close,volume\n";
        var first = _dir.Write("first.csv", header + "2011-03-29,10,10,10,10,1\n2021-03-30,10,10,10,10,2\n2021-03-31,10,10,10,10,3\n");
        var inner = _dir.Write("inner.csv", header + "2021-03-26,10,10,10,10,1\n2011-03-29,10,10,10,10,2\n2021-03-30,10,10,10,10,3\n");
        var lastOfDescending = _dir.Write("last.csv", header + "2021-03-31,10,10,10,10,3\n2021-03-30,10,10,10,10,2\n2011-03-29,10,10,10,10,1\n");

        // The second row is the typo here: the first is not judged by it, and the typo is judged between its two neighbours.
        var secondIsTheTypo = _dir.Write("second.csv", header + "2021-03-26,10,10,10,10,1\n2011-03-29,10,10,10,10,2\n2021-03-30,10,10,10,10,3\n" +
            "2021-03-31,10,10,10,10,4\n");

        // Two rows a decade apart: either could be the typo; the later one goes, as before the rule went both ways.
        var twoRows = _dir.Write("two.csv", header + "2011-03-29,10,10,10,10,1\n2021-03-30,10,10,10,10,2\n");

        foreach (var (path, volumes, typo) in new[]
        {
            (first, new[] { 2m, 3m }, (2L, "date 2011-03-29 (the file's first row) is 365 days or more before the row after it")),
            (inner, new[] { 1m, 3m }, (3L, "date 2011-03-29 is more than 7 days before both the row before it and the row after it")),
            (lastOfDescending, new[] { 3m, 2m }, (4L, "date 2011-03-29 (the file's last row) is 365 days or more before the row before it")),
            (secondIsTheTypo, new[] { 1m, 3m, 4m }, (3L, "date 2011-03-29 is more than 7 days before both the row before it and the row after it")),
            (twoRows, new[] { 1m }, (3L, "date 2021-03-30 (the file's last row) is 365 days or more after the row before it")),
        })
        {
            var errors = new List<CsvRowError>();
            Assert.Equal(volumes, ReadDailyVolumes(path, errors).Volumes);

            Assert.Equal([(typo.Item1, MalformedReason.FarOutOfOrder, typo.Item2)], errors.Select(e => (e.Line, e.Reason, e.Detail)));
            var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.DailyBars)]);
            Assert.Equal(volumes.Length, (await Data(feed)).Count);
            Assert.Equal(1, feed.GetHealth().MalformedByReason[MalformedReason.FarOutOfOrder]);
        }
    }

    /// <summary>The volumes of the rows a daily file's reader gives (the tests' files number their rows by volume), and its bad-row count.</summary>
    /// <summary>
    /// A daily row is judged by the rows around it in the file, whatever the replay's dates: with a StartDate the rows before
    /// it were left out before judging, so a typo just inside the range (2021-06-12 for 2021-06-02) became the range's first
    /// row, judged by one neighbour a day away, and went out as data, ahead of the rows it should follow.
    /// </summary>
    [Fact]
    public async Task ReadAsync_ADailyRowTypo_IsABadRow_AlsoWhenTheDateRangeLeavesOutTheRowsAroundIt()
    {
        var path = _dir.Write("range.csv", "date,open,high,low,close,volume\n2021-06-01,10,10,10,10,1\n2021-06-12,10,10,10,10,2\n" +
            "2021-06-03,10,10,10,10,3\n2021-06-04,10,10,10,10,4\n2021-06-11,10,10,10,10,5\n2021-06-14,10,10,10,10,6\n");
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.DailyBars)],
            new CsvReplayOptions { Validate = false, SpeedFactor = 0, StartDate = new DateOnly(2021, 6, 10) },
            new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);

        var volumes = (await Data(feed)).Select(e => Assert.IsType<BarEvent>(e).Bar.Volume).ToList();

        Assert.Equal([5m, 6m], volumes);
        Assert.Equal(1, feed.GetHealth().MalformedByReason.GetValueOrDefault(MalformedReason.FarOutOfOrder));
    }

    private static (List<decimal> Volumes, long BadRows) ReadDailyVolumes(string path, List<CsvRowError> errors)
    {
        using var reader = CsvFileReader.Open(new CsvSource(path, "SPY", CsvFileKind.DailyBars), errors.Add);
        var volumes = new List<decimal>();
        while (reader.TryReadNext(out var e))
        {
            volumes.Add(((BarEvent)e!).Bar.Volume);
        }

        return (volumes, reader.BadRows);
    }

    [Fact]
    public async Task ReadAsync_ADailyFileThatBreaks_StillDeliversEveryRowBeforeTheBreak()
    {
        // The daily reader reads a row ahead (to judge a row by the next); the break must still come after the row before it.
        var rows = string.Concat(Enumerable.Range(0, 4000).Select(i =>
            $"{new DateOnly(2000, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)},10,10,10,10,{i + 1}\n"));
        var path = _dir.Write("daily.csv.gz", "date,open,high,low,close,volume\n" + rows, gzip: true);
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);
        var errors = new List<CsvRowError>();
        var volumes = new List<decimal>();

        var ex = Assert.Throws<CsvFormatException>(() =>
        {
            using var reader = CsvFileReader.Open(new CsvSource(path, "SPY", CsvFileKind.DailyBars), errors.Add);
            while (reader.TryReadNext(out var e))
            {
                volumes.Add(((BarEvent)e!).Bar.Volume);
            }
        });

        // Every row the broken file gave (the last one cut in its middle is a bad row) went out before the failure.
        Assert.Equal(path, ex.File);
        Assert.True(volumes.Count > 1000, $"{volumes.Count} rows");
        Assert.Equal(Enumerable.Range(1, volumes.Count).Select(i => (decimal)i), volumes);
        Assert.True(errors.Count <= 1, string.Join("; ", errors));
        var lastLine = errors.Count == 0 ? volumes.Count + 1 : errors[0].Line;
        Assert.Contains($"after line {lastLine}", ex.Message, StringComparison.Ordinal);
    }

    private static async Task WaitParkedOrDone(ManualTimeProvider clock, Task reading)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (clock.PendingTimers == 0 && !reading.IsCompleted && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task ReadAsync_FailsOnTruncatedGzip_AfterDeliveringTheRowsBeforeTheBreak()
    {
        const string header = "time,price,size,exchange,condition,suspicious\n";
        var rows = string.Concat(Enumerable.Range(0, 5000).Select(i => $"2013-10-07T09:30:{i / 1000:00}.{i % 1000:000}-04:00,167.{i % 100:00},{100 + i},P,2000,0\n"));
        var path = _dir.Write("t.csv.gz", header + rows, gzip: true);

        // An interrupted copy or download: the end of the compressed file is missing.
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)], TestContext.Current.CancellationToken);
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]);
        var delivered = new List<MarketDataEvent>();

        var ex = await Assert.ThrowsAsync<CsvFormatException>(async () =>
        {
            await foreach (var e in feed.ReadAsync(TestContext.Current.CancellationToken))
            {
                delivered.Add(e);
            }
        });

        Assert.Equal(path, ex.File);
        Assert.True(delivered.OfType<TradeEvent>().Count() > 1000);
        Assert.Equal(FeedState.Degraded, feed.GetHealth().State);
    }

    [Fact]
    public async Task ReadAsync_AGzipOfSeveralMembers_DeliversEveryMembersRows_AndTheReplayGoesOn()
    {
        // What `cat monday.csv.gz tuesday-rows.gz > week.csv.gz` or a writer appending in gzip mode leaves: complete, but
        // the trailer at the end counts only the last member. The replay refused it after its rows, and stopped there:
        // the later rows of the other files never went out.
        var path = await JoinedGzip("t.csv.gz", TickRows(0, 3000, header: true), TickRows(3000, 3000), TickRows(6000, 1));
        var later = _dir.Write("later.csv", "time,price,size,exchange,condition,suspicious\n2013-10-07T10:00:00.000-04:00,11,100,P,,0\n");
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks), new CsvSource(later, "SPY", CsvFileKind.TradeTicks)]);

        var trades = (await Data(feed)).Cast<TradeEvent>().ToList();

        Assert.Equal(6002, trades.Count);
        Assert.Equal(Enumerable.Range(0, 6001).Select(i => 100m + i), trades.Take(6001).Select(t => t.Trade.Size));
        Assert.Equal(11m, trades[^1].Trade.Price);
        Assert.Equal(FeedState.Completed, feed.GetHealth().State);
        Assert.Equal(0, feed.GetHealth().TotalMalformed);
    }

    [Fact]
    public async Task ReadAsync_AGzipOfSeveralMembers_WithTheLastCutShort_FailsAsTruncated_AfterTheRowsBeforeTheBreak()
    {
        var whole = await JoinedGzip("whole.gz", TickRows(0, 3000, header: true), TickRows(3000, 3000));
        var bytes = await File.ReadAllBytesAsync(whole, TestContext.Current.CancellationToken);
        var path = Path.Combine(_dir.Path, "t.csv.gz");
        await File.WriteAllBytesAsync(path, bytes[..^200], TestContext.Current.CancellationToken);
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]);
        var delivered = new List<MarketDataEvent>();

        var ex = await Assert.ThrowsAsync<CsvFormatException>(async () =>
        {
            await foreach (var e in feed.ReadAsync(TestContext.Current.CancellationToken))
            {
                delivered.Add(e);
            }
        });

        Assert.Equal(path, ex.File);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("member 2", ex.Message, StringComparison.Ordinal);
        Assert.True(delivered.OfType<TradeEvent>().Count() >= 3000);
        Assert.Equal(FeedState.Degraded, feed.GetHealth().State);
    }

    [Fact]
    public async Task ReadAsync_AGzipWithDataAppendedAfterItsMember_FailsNamingIt()
    {
        // GZipStream stops at the first member and ignores what follows: rows appended uncompressed were lost quietly.
        var gzip = await JoinedGzip("g.gz", TickRows(0, 10, header: true));
        var path = Path.Combine(_dir.Path, "t.csv.gz");
        await File.WriteAllBytesAsync(
            path,
            [.. await File.ReadAllBytesAsync(gzip, TestContext.Current.CancellationToken), .. System.Text.Encoding.UTF8.GetBytes(TickRows(10, 5))],
            TestContext.Current.CancellationToken);
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]);

        var ex = await Assert.ThrowsAsync<CsvFormatException>(() => Data(feed));

        Assert.Equal(path, ex.File);
        Assert.Contains("not a gzip member", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_AFileWithABomAndCrlfLineEnds_ReadsLikeAPlainOne(bool gzip)
    {
        // Files saved by spreadsheet tools on Windows: a UTF-8 byte order mark before the header, CRLF after every line.
        var path = _dir.Write(gzip ? "2013-10-07.trades.csv.gz" : "2013-10-07.trades.csv",
            "\uFEFFtime,price,size,exchange,condition,suspicious\r\n2013-10-07T09:30:00.001-04:00,10,100,P,,0\r\n2013-10-07T09:30:00.002-04:00,10.01,200,P,,1\r\n",
            gzip);
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.TradeTicks)]);

        var trades = (await Data(feed)).Cast<TradeEvent>().Select(t => t.Trade).ToList();

        Assert.Equal([(10m, 100m, false), (10.01m, 200m, true)], trades.Select(t => (t.Price, t.Size, t.Suspicious)));
        Assert.Equal(0, feed.GetHealth().TotalMalformed);
    }

    /// <summary>
    /// A read resumed after the events its consumer took in (the silo's pump, after an ingest call failed) sends again the
    /// rows the first read had sent beyond them, but they were counted, judged in or out of order and their bad rows logged
    /// when first read. Counted again, a file in time order ended with its re-sent rows "out of order", its bad row logged
    /// and counted twice, and more events delivered than it holds.
    /// </summary>
    [Fact]
    public async Task ReadAsync_Resumed_CountsAndLogsEachRowOnce_TheRowsSentAgainIncluded()
    {
        // Ten rows in time order: the fifth priced 0 (refused by the validator), the seventh unreadable.
        var path = _dir.Write("2013-10-07.trades.csv", "time,price,size,exchange,condition,suspicious\n" + string.Concat(Enumerable.Range(0, 10).Select(i =>
            $"2013-10-07T09:30:{i:00}.000-04:00,{(i == 4 ? "0" : i == 6 ? "1o" : "10")},{100 + i},P,,0\n")));
        var logger = new CapturingLogger();
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.TradeTicks)], new CsvReplayOptions { Validate = true }, new TickValidatorOptions(), TimeProvider.System, logger);
        var ct = TestContext.Current.CancellationToken;

        // The first read sends the status and 7 rows (up to the ninth); its consumer took in the status and 2 rows only.
        var sent = 0;
        await foreach (var e in feed.ReadAsync(0, ct))
        {
            if (++sent == 8)
            {
                break;
            }
        }

        var resumed = await feed.ReadAsync(3, ct).OfType<TradeEvent>().Select(t => t.Trade.Size).ToListAsync(ct);

        Assert.Equal([102m, 103m, 105m, 107m, 108m, 109m], resumed);
        var health = feed.GetHealth();
        Assert.Equal((8L, 0L), (health.EventsDelivered, health.OutOfOrderEvents));
        Assert.Equal(1, Assert.Single(health.MalformedByReason).Value);
        Assert.Equal(1, Assert.Single(health.RejectedByReason).Value);
        Assert.Single(logger.Lines, line => line.StartsWith("Warning 3010 ", StringComparison.Ordinal));
        Assert.Single(logger.Lines, line => line.StartsWith("Debug 3002 ", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, line => line.Contains("completed: 8 events delivered, 1 rejected, 1 malformed, 0 out of order", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same when the first read stopped while it waited to release a row (a paced replay whose pump failed): the row it
    /// refused before that wait is counted once, and the row it waited for, never sent, is counted when the resumed read sends it.
    /// </summary>
    [Fact]
    public async Task ReadAsync_ResumedAfterAReadStoppedWhileItWaited_CountsTheRowsItHadRefusedOnce()
    {
        // The third row priced 0 (refused); the fourth a data-minute after them (a second's wait at factor 60), two more with it.
        var times = new[] { "09:30:00", "09:30:00", "09:30:00", "09:31:00", "09:31:00", "09:31:00" };
        var path = _dir.Write("2013-10-07.trades.csv", "time,price,size,exchange,condition,suspicious\n" + string.Concat(times.Select((time, i) =>
            $"2013-10-07T{time}.000-04:00,{(i == 2 ? "0" : "10")},{100 + i},P,,0\n")));
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.TradeTicks)], new CsvReplayOptions { Validate = true, SpeedFactor = 60 }, new TickValidatorOptions(), clock, NullLogger.Instance);
        var ct = TestContext.Current.CancellationToken;

        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var sent = new List<decimal>();
            var reading = Task.Run(async () =>
            {
                await foreach (var e in feed.ReadAsync(0, stop.Token))
                {
                    if (e is TradeEvent trade)
                    {
                        lock (sent)
                        {
                            sent.Add(trade.Trade.Size);
                        }
                    }
                }
            }, ct);
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
            while (clock.PendingTimers == 0 && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(1, ct);
            }

            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
            Assert.Equal([100m, 101m], sent);
        }

        // Its consumer took in the status and the first row only. Resumed, the read waits its second again.
        var resuming = feed.ReadAsync(2, ct).OfType<TradeEvent>().Select(t => t.Trade.Size).ToListAsync(ct).AsTask();
        var until = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (clock.PendingTimers == 0 && !resuming.IsCompleted && TimeProvider.System.GetUtcNow() < until)
        {
            await Task.Delay(1, ct);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        var resumed = await resuming;

        Assert.Equal([101m, 103m, 104m, 105m], resumed);
        var health = feed.GetHealth();
        Assert.Equal((5L, 0L, 0L), (health.EventsDelivered, health.OutOfOrderEvents, health.TotalMalformed));
        Assert.Equal(1, health.RejectedByReason[RejectionReason.NonPositivePrice]);
    }

    /// <summary>
    /// A blank line holds no row: a file that ends in two line breaks, or files joined with an empty line between them,
    /// lose no data. Each was reported as a bad row ("expected 6 columns, found 1"), a warning of data lost where there was
    /// none. The rows keep their line numbers as source ids, and a header followed by blank lines alone is a file without rows.
    /// </summary>
    [Fact]
    public async Task ReadAsync_BlankLines_AreNoRows_NeitherDataNorBadRows()
    {
        var path = _dir.Write("2013-10-07.trades.csv",
            "time,price,size,exchange,condition,suspicious\r\n2013-10-07T09:30:00.001-04:00,10,100,P,,0\r\n\r\n" +
            "2013-10-07T09:30:00.002-04:00,10.01,200,P,,0\n   \n\n");
        var blankOnly = _dir.Write("2013-10-08.trades.csv", "time,price,size,exchange,condition,suspicious\n\n\n");
        var logger = new CapturingLogger();
        var feed = new CsvReplayFeed(
            [new CsvSource(path, "SPY", CsvFileKind.TradeTicks), new CsvSource(blankOnly, "SPY", CsvFileKind.TradeTicks)],
            new CsvReplayOptions { Validate = false }, new TickValidatorOptions(), TimeProvider.System, logger);

        var trades = (await Data(feed)).Cast<TradeEvent>().ToList();

        Assert.Equal([(10m, 2L), (10.01m, 4L)], trades.Select(t => (t.Trade.Price, t.SourceId!.Value)));
        Assert.Equal(0, feed.GetHealth().TotalMalformed);
        Assert.DoesNotContain(logger.Lines, line => line.StartsWith("Warning 3010 ", StringComparison.Ordinal) || line.StartsWith("Warning 3011 ", StringComparison.Ordinal));
        var warning = Assert.Single(logger.Lines, line => line.StartsWith("Warning 3014 ", StringComparison.Ordinal));
        Assert.Contains(blankOnly, warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// A file of its header alone replayed nothing and said nothing: a user who pointed the replay at it saw no data and no
    /// reason. It is named in a warning, and the replay goes on with the other files, as it goes on past bad rows.
    /// </summary>
    [Fact]
    public async Task ReadAsync_AHeaderOnlyFile_IsNamedInAWarning_AndTheReplayGoesOn_AnEmptyFileFailsNamingIt()
    {
        var headerOnly = _dir.Write("h.csv", "time,open,high,low,close,volume\r\n");
        var withRow = _dir.Write("r.csv", "time,open,high,low,close,volume\n2013-10-07T09:30:00.000-04:00,10,10,10,10,1\n");
        var empty = _dir.Write("e.csv", string.Empty);
        var logger = new CapturingLogger();

        var feed = new CsvReplayFeed(
            [new CsvSource(headerOnly, "SPY", CsvFileKind.MinuteTradeBars), new CsvSource(withRow, "SPY", CsvFileKind.MinuteTradeBars)],
            new CsvReplayOptions { Validate = false, SpeedFactor = 0 }, new TickValidatorOptions(), TimeProvider.System, logger);
        Assert.Single(await Data(feed));
        Assert.Equal(FeedState.Completed, feed.GetHealth().State);
        var warning = Assert.Single(logger.Lines, line => line.StartsWith("Warning 3014 ", StringComparison.Ordinal));
        Assert.Contains($"csv-replay: {headerOnly} has no rows after its header, so the replay has no data from it", warning, StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<CsvFormatException>(() => Data(Feed([new CsvSource(empty, "SPY", CsvFileKind.MinuteTradeBars)])));
        Assert.Equal(empty, ex.File);
        Assert.Contains("<empty file>", ex.Message, StringComparison.Ordinal);
    }

    private static string TickRows(int first, int count, bool header = false) =>
        (header ? "time,price,size,exchange,condition,suspicious\n" : string.Empty) +
        string.Concat(Enumerable.Range(first, count).Select(i =>
            $"2013-10-07T09:30:{i / 1000:00}.{i % 1000:000}-04:00,167.{i % 100:00},{100 + i},P,2000,0\n"));

    /// <summary>A file of one gzip member per part, joined as cat joins them.</summary>
    private async Task<string> JoinedGzip(string name, params string[] parts)
    {
        var joined = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            var member = _dir.Write($"{name}.part{i}.gz", parts[i], gzip: true);
            joined.AddRange(await File.ReadAllBytesAsync(member, TestContext.Current.CancellationToken));
        }

        var path = Path.Combine(_dir.Path, name);
        await File.WriteAllBytesAsync(path, joined.ToArray(), TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task ReadAsync_CancelledMidFile_ReportsDisconnected()
    {
        var lines = string.Concat(Enumerable.Range(0, 10).Select(i => $"2013-10-07T09:{30 + i}:00.000-04:00,10,10,10,10,1\n"));
        var path = _dir.Write("bars.csv", "time,open,high,low,close,volume\n" + lines);
        var feed = Feed([new CsvSource(path, "SPY", CsvFileKind.MinuteTradeBars)]);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in feed.ReadAsync(cts.Token))
            {
                if (e is BarEvent)
                {
                    await cts.CancelAsync();
                }
            }
        });

        // A stopped replay is not delivering data: readiness must not see it as connected.
        Assert.Equal(FeedState.Disconnected, feed.GetHealth().State);
    }

    [Fact]
    public void Discover_ASymbolFolderOfMixedKinds_GivesEachConfiguredKindItsOwnFiles_InDateOrder()
    {
        const string trades = "time,open,high,low,close,volume\n";
        const string quotes = "time,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size\n";
        var tradesOf8 = _dir.Write("minute/SPY/2013-10-08.trades.csv.gz", trades, gzip: true);
        var tradesOf7 = _dir.Write("minute/SPY/2013-10-07.trades.csv", trades);
        var quotesOf7 = _dir.Write("minute/SPY/2013-10-07.quotes.csv", quotes);
        _dir.Write("minute/SPY/2013-10-09.trades.csv.bak", trades);
        _dir.Write("minute/SPY/notes.txt", "not data");
        _dir.Write("minute/SPY/2013-10-10.trades.csv/inner.csv", trades);

        var tradesOnly = CsvSourceDiscovery.Discover(new CsvReplayOptions { DataPath = _dir.Path, Symbols = { "SPY" } });
        var both = CsvSourceDiscovery.Discover(new CsvReplayOptions
        {
            DataPath = _dir.Path, Symbols = { "SPY" }, Kinds = { CsvFileKind.MinuteQuoteBars, CsvFileKind.MinuteTradeBars },
        });

        Assert.Equal([(tradesOf7, CsvFileKind.MinuteTradeBars), (tradesOf8, CsvFileKind.MinuteTradeBars)], tradesOnly.Select(s => (s.Path, s.Kind)));
        Assert.Equal(
            [(quotesOf7, CsvFileKind.MinuteQuoteBars), (tradesOf7, CsvFileKind.MinuteTradeBars), (tradesOf8, CsvFileKind.MinuteTradeBars)],
            both.Select(s => (s.Path, s.Kind)));
    }

    /// <summary>
    /// A file named off the layout (SPY-2013-10-08.csv for 2013-10-08.trades.csv) was skipped without a word: the replay
    /// went on without that day's data and nothing said why. It is named in one warning, and the replay goes on as it
    /// does past bad rows; another kind's file (quotes when trades are replayed) is on the layout and not named.
    /// </summary>
    [Fact]
    public async Task ReadAsync_FilesNamedOffTheLayout_AreNamedInOneWarning_AndTheReplayGoesOn()
    {
        const string trades = "time,open,high,low,close,volume\n2013-10-07T09:31:00-04:00,10,10,10,10,100\n";
        _dir.Write("minute/SPY/2013-10-07.trades.csv", trades);
        _dir.Write("minute/SPY/2013-10-07.quotes.csv", "time,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size\n");
        _dir.Write("minute/SPY/SPY-2013-10-08.csv", trades);
        _dir.Write("minute/SPY/2013-10-09.trades.csv.bak", trades);
        _dir.Write("minute/IBM-2013-10-07.csv", trades);
        _dir.Write("ticks/SPY/SPY-2013-10-07.csv", trades); // ticks are not replayed here: not the replay's business
        var logger = new CapturingLogger();
        var feed = new CsvReplayFeed(null, new CsvReplayOptions { DataPath = _dir.Path, Symbols = { "SPY" } }, new TickValidatorOptions(), TimeProvider.System, logger);

        var events = await Data(feed);

        Assert.Single(events);
        var warning = Assert.Single(logger.Lines, line => line.StartsWith("Warning 3013 ", StringComparison.Ordinal));
        Assert.Contains(
            $"does not read 3 files named off the data layout (a day's file is minute/SYM/ or ticks/SYM/yyyy-MM-dd.trades.csv or .quotes.csv, optionally .gz): " +
            $"{Path.Combine("minute", "IBM-2013-10-07.csv")}, {Path.Combine("minute", "SPY", "2013-10-09.trades.csv.bak")}, {Path.Combine("minute", "SPY", "SPY-2013-10-08.csv")}",
            warning, StringComparison.Ordinal);
    }

    /// <summary>A symbol whose only file is named off the layout: the start-up refusal says where it looked and names the file.</summary>
    [Fact]
    public void Discover_ASymbolWhoseFilesAreAllNamedOffTheLayout_FailsNamingThemAndTheLayout()
    {
        _dir.Write("minute/SPY/SPY-2013-10-07.csv", "time,open,high,low,close,volume\n");
        var options = new CsvReplayOptions { DataPath = _dir.Path, Symbols = { "SPY" } };

        var error = Assert.Throws<CsvFormatException>(() => CsvSourceDiscovery.Discover(options));

        Assert.Equal(
            $"No market data files for symbol 'SPY' (MinuteTradeBars) under '{_dir.Path}'. Looked for minute/SPY/yyyy-MM-dd.trades.csv[.gz]. " +
            $"Not read, named off that layout: {Path.Combine("minute", "SPY", "SPY-2013-10-07.csv")}.",
            error.Message);
    }

    [Fact]
    public void Discover_ADayHeldPlainAndGzipped_IsReplayedOnce()
    {
        const string content = "time,price,size,exchange,condition,suspicious\n2013-10-07T09:30:00.001-04:00,10,100,P,,0\n";
        var plain = _dir.Write("ticks/SPY/2013-10-07.trades.csv", content);
        _dir.Write("ticks/SPY/2013-10-07.trades.csv.gz", content, gzip: true);
        var options = new CsvReplayOptions { DataPath = _dir.Path, Symbols = { "SPY" }, Kinds = { CsvFileKind.TradeTicks } };

        var sources = CsvSourceDiscovery.Discover(options);

        // Plain before gzip, as for the daily file: both would deliver every print of the day twice.
        Assert.Equal(plain, Assert.Single(sources).Path);
    }
}
