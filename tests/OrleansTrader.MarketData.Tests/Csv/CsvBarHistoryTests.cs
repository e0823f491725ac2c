using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Csv;

/// <summary>Past bars from a folder of market-data files, as backtests read them.</summary>
public sealed class CsvBarHistoryTests : IDisposable
{
    private const string MinuteHeader = "time,open,high,low,close,volume\n";
    private const string DailyHeader = "date,open,high,low,close,volume\n";
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Three minute bars from 09:30 New York time on the day, closes 10, 11, 12 (plus the day of the month / 100).</summary>
    private void WriteMinuteDay(string symbol, int day, bool gzip = false)
    {
        var rows = string.Concat(Enumerable.Range(0, 3).Select(i =>
        {
            var close = 10m + i + (day / 100m);
            return $"2013-10-{day:00}T09:3{i}:00.000-04:00,{close},{close + 1m},{close - 1m},{close},100\n";
        }));
        _dir.Write($"minute/{symbol}/2013-10-{day:00}.trades.csv{(gzip ? ".gz" : string.Empty)}", MinuteHeader + rows, gzip);
    }

    private static DateTimeOffset NewYork(int day, int hour, int minute) => new(2013, 10, day, hour, minute, 0, TimeSpan.FromHours(-4));

    [Fact]
    public void MinuteBars_AreTheLatestThatEndedByTheTime_OldestFirst_AcrossDayFiles_GzipOrNot()
    {
        WriteMinuteDay("ABC", 7);
        WriteMinuteDay("ABC", 8, gzip: true);
        WriteMinuteDay("ABC", 9);
        _dir.Write("minute/ABC/2013-10-08.quotes.csv", "not a trades file: never read\n");
        var history = new CsvBarHistory(_dir.Path);

        // By 09:32 on the 9th two of its bars have ended (09:30 and 09:31); four bars reach back into the 8th.
        var read = history.ReadLatest("ABC", Minute, 4, NewYork(9, 9, 32));

        Assert.Equal(0, read.SkippedRows);
        Assert.Equal(
            [NewYork(8, 9, 31), NewYork(8, 9, 32), NewYork(9, 9, 30), NewYork(9, 9, 31)],
            read.Bars.Select(b => b.Start.ToOffset(TimeSpan.FromHours(-4))));
        Assert.Equal([11.08m, 12.08m, 10.09m, 11.09m], read.Bars.Select(b => b.Close));
        Assert.All(read.Bars, b => Assert.Equal(("ABC", Minute), (b.Symbol, b.Interval)));

        // More than the files hold: all of them, from the first day's first bar; before any file: none.
        Assert.Equal(9, history.ReadLatest("ABC", Minute, 100, NewYork(10, 0, 0)).Bars.Count);
        Assert.Equal(9, history.ReadLatest("ABC", Minute, 100, DateTimeOffset.MaxValue).Bars.Count);
        Assert.Empty(history.ReadLatest("ABC", Minute, 100, NewYork(7, 9, 30)).Bars);
    }

    /// <summary>
    /// A minute file ending in a blank line holds no unreadable row: the backtest said "1 unreadable or inconsistent rows
    /// skipped" as the symbol's problem for it.
    /// </summary>
    [Fact]
    public void AMinuteFileEndingInABlankLine_SkipsNoRow()
    {
        _dir.Write("minute/ABC/2013-10-07.trades.csv", MinuteHeader +
            "2013-10-07T09:30:00.000-04:00,10,11,9,10,100\r\n2013-10-07T09:31:00.000-04:00,11,12,10,11,100\r\n\r\n");

        var read = new CsvBarHistory(_dir.Path).ReadLatest("ABC", Minute, 5, NewYork(8, 0, 0));

        Assert.Equal((0L, 2), (read.SkippedRows, read.Bars.Count));
    }

    [Fact]
    public void AMinuteRepeatedInTheNewestFile_DoesNotCountTowardsTheBarsAskedFor()
    {
        WriteMinuteDay("ABC", 7);

        // The 8th repeats its 09:30 bar: three rows, two distinct minutes.
        _dir.Write("minute/ABC/2013-10-08.trades.csv", MinuteHeader +
            "2013-10-08T09:30:00.000-04:00,10,11,9,10,100\n2013-10-08T09:30:00.000-04:00,10,11,9,10,100\n2013-10-08T09:31:00.000-04:00,11,12,10,11,100\n");
        var history = new CsvBarHistory(_dir.Path);

        var read = history.ReadLatest("ABC", Minute, 3, NewYork(9, 0, 0));

        Assert.Equal([NewYork(7, 9, 32), NewYork(8, 9, 30), NewYork(8, 9, 31)], read.Bars.Select(b => b.Start.ToOffset(TimeSpan.FromHours(-4))));
    }

    [Fact]
    public void ASince_KeepsTheBarsThatStartedByThen_AndLeavesOlderFilesUnopened()
    {
        _dir.Write("minute/ABC/2013-10-03.trades.csv", "a header no reader takes\n");
        WriteMinuteDay("ABC", 7);
        WriteMinuteDay("ABC", 8);
        var history = new CsvBarHistory(_dir.Path);

        var read = history.ReadLatest("ABC", Minute, 100, NewYork(9, 0, 0), since: NewYork(7, 9, 32));

        Assert.Equal([NewYork(7, 9, 32), NewYork(8, 9, 30), NewYork(8, 9, 31), NewYork(8, 9, 32)], read.Bars.Select(b => b.Start.ToOffset(TimeSpan.FromHours(-4))));
        Assert.Throws<CsvFormatException>(() => history.ReadLatest("ABC", Minute, 100, NewYork(9, 0, 0)));
    }

    /// <summary>
    /// In winter New York is UTC-5, so a file's after-hours rows from 19:00 (its date in New York) are on the next UTC date:
    /// they are read as the file's, before the next file's pre-market, whether the time asked about or the since is on that
    /// next UTC date.
    /// </summary>
    [Fact]
    public void InWinter_AFilesRowsAfter1900NewYork_AreOnTheNextUtcDate_AndStillReadInOrder()
    {
        _dir.Write("minute/ABC/2013-12-02.trades.csv", MinuteHeader +
            "2013-12-02T15:59:00.000-05:00,10,11,9,10,100\n2013-12-02T19:58:00.000-05:00,11,12,10,11,100\n2013-12-02T19:59:00.000-05:00,12,13,11,12,100\n");
        _dir.Write("minute/ABC/2013-12-03.trades.csv", MinuteHeader + "2013-12-03T04:00:00.000-05:00,13,14,12,13,100\n");
        var history = new CsvBarHistory(_dir.Path);
        static DateTimeOffset Utc(int day, int hour, int minute) => new(2013, 12, day, hour, minute, 0, TimeSpan.Zero);

        Assert.Equal([Utc(3, 0, 58), Utc(3, 0, 59), Utc(3, 9, 0)], history.ReadLatest("ABC", Minute, 3, Utc(3, 9, 1)).Bars.Select(b => b.Start));
        Assert.Equal([Utc(2, 20, 59), Utc(3, 0, 58), Utc(3, 0, 59)], history.ReadLatest("ABC", Minute, 3, Utc(3, 1, 0)).Bars.Select(b => b.Start));
        Assert.Equal([Utc(3, 0, 59), Utc(3, 9, 0)], history.ReadLatest("ABC", Minute, 10, Utc(3, 10, 0), since: Utc(3, 0, 59)).Bars.Select(b => b.Start));
    }

    [Fact]
    public void DailyBars_SkipRowsThatDoNotParse_AndBarsWhosePricesDoNotHoldTogether_CountingThem()
    {
        _dir.Write("daily/XYZ.csv", DailyHeader
            + "2020-01-02,10,11,9,10.5,1000\n"
            + "2020-01-03,10.5,oops,9,10,1000\n" // does not parse
            + "2020-01-06,10,9,11,10,1000\n" // high under low
            + "2020-01-07,10,12,9,12.5,1000\n" // close above high
            + "2020-01-08,0,0,0,0,0\n" // not positive
            + "2020-01-09,10,11,9,10,-5\n" // negative volume
            + "2020-01-10,11,12,10,11.5,2000\n");

        var read = new CsvBarHistory(_dir.Path).ReadLatest("XYZ", CsvBarHistory.OneDay, 10, new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(5, read.SkippedRows);
        Assert.Equal([new DateOnly(2020, 1, 2), new DateOnly(2020, 1, 10)], read.Bars.Select(b => DateOnly.FromDateTime(b.Start.UtcDateTime)));
        Assert.All(read.Bars, b => Assert.Equal(CsvBarHistory.OneDay, b.Interval));

        // A daily bar ends when its date does: at midnight UTC after it.
        var byThe10th = new CsvBarHistory(_dir.Path).ReadLatest("XYZ", CsvBarHistory.OneDay, 10, new DateTimeOffset(2020, 1, 10, 23, 59, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2020, 1, 3, 0, 0, 0, TimeSpan.Zero), Assert.Single(byThe10th.Bars).End);
    }

    [Fact]
    public void DailyBars_ADateRepeated_KeepsTheFirstRow_AndCountsTheOtherAsSkipped()
    {
        _dir.Write("daily/XYZ.csv", DailyHeader
            + "2020-01-02,10,11,9,10.5,1000\n"
            + "2020-01-03,10,11,9,10.5,1000\n"
            + "2020-01-03,20,21,19,20.5,2000\n"
            + "2020-01-06,10,11,9,10.5,1000\n");

        var read = new CsvBarHistory(_dir.Path).ReadLatest("XYZ", CsvBarHistory.OneDay, 10, new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal([2, 3, 6], read.Bars.Select(b => b.Start.Day));
        Assert.Equal(10.5m, read.Bars[1].Close);
        Assert.Equal(1, read.SkippedRows);
    }

    [Fact]
    public void ADailyFilesLastRowTypedYearsAhead_IsNeitherListedNorRead_AndIsCounted()
    {
        // The typo's year was the end of the file's range in the backtest catalog, and a backtest up to then read the row.
        _dir.Write("daily/XYZ.csv", DailyHeader
            + "2021-03-29,10,11,9,10.5,1000\n"
            + "2021-03-30,10,11,9,10.5,1000\n"
            + "2031-03-31,10,11,9,10.5,1000\n");
        var history = new CsvBarHistory(_dir.Path);

        var listed = Assert.Single(history.ListSymbols());
        var read = history.ReadLatest("XYZ", CsvBarHistory.OneDay, 10, new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal((new DateOnly(2021, 3, 29), new DateOnly(2021, 3, 30)), (listed.DailyFrom, listed.DailyTo));
        Assert.Equal([29, 30], read.Bars.Select(b => b.Start.Day));
        Assert.Equal(1, read.SkippedRows);
    }

    [Fact]
    public void DailyBars_PricedAboveTheLiveFeedsCeiling_AreSkippedAndCounted_AtTheCeilingKept()
    {
        _dir.Write("daily/BIG.csv", DailyHeader
            + "2020-01-02,10,11,9,10.5,1000\n"
            + "2020-01-03,10000000,10000000,10000000,10000000,1000\n" // at MaxPrice: kept
            + "2020-01-06,10,10000000.01,9,10,1000\n" // a high above it
            + "2020-01-07,70000000000000000000000000000,70000000000000000000000000000,70000000000000000000000000000,70000000000000000000000000000,1\n"
            + "2020-01-08,11,12,10,11.5,70000000000000000000000000000\n"); // a volume is not capped, as for the live feed's bars
        var before = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var read = new CsvBarHistory(_dir.Path).ReadLatest("BIG", CsvBarHistory.OneDay, 10, before);

        Assert.Equal(2, read.SkippedRows);
        Assert.Equal([2, 3, 8], read.Bars.Select(b => b.Start.Day));
    }

    [Fact]
    public void TheListOfSymbols_GivesEachOnesMinuteDaysAndDailyRange_AndAnUnreadableDailyFileAsItsProblem()
    {
        WriteMinuteDay("ABC", 7);
        WriteMinuteDay("ABC", 9, gzip: true);
        _dir.Write("minute/ABC/2013-10-08.quotes.csv", "quotes are not bars\n");
        _dir.Write("minute/ABC/notes.txt", "not a dated file\n");
        _dir.Write("daily/ABC.csv", DailyHeader + "2020-01-02,10,11,9,10.5,1000\n2020-01-03,x,11,9,10.5,1000\n2020-01-06,10,11,9,10.5,1000\n");
        _dir.Write("daily/XYZ.csv.gz", DailyHeader + "1999-12-31,10,11,9,10.5,1000\n", gzip: true);
        _dir.Write("daily/BAD.csv", "when,price\n");
        _dir.Write("daily/README.md", "not a symbol's file\n");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "minute", "EMPTY"));

        var listed = new CsvBarHistory(_dir.Path).ListSymbols();

        Assert.Equal(["ABC", "BAD", "XYZ"], listed.Select(f => f.Symbol));
        Assert.Equal(new CsvBarFiles("ABC", new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9), 2, new DateOnly(2020, 1, 2), new DateOnly(2020, 1, 6), null), listed[0]);
        Assert.Equal((null, null, 0, (DateOnly?)null), (listed[1].MinuteFrom, listed[1].DailyFrom, listed[1].MinuteDays, listed[1].DailyTo));
        Assert.Contains("has header 'when,price'", listed[1].Problem, StringComparison.Ordinal);
        Assert.Equal((new DateOnly(1999, 12, 31), new DateOnly(1999, 12, 31), (string?)null), (listed[2].DailyFrom, listed[2].DailyTo, listed[2].Problem));
        Assert.Empty(new CsvBarHistory(Path.Combine(_dir.Path, "minute", "EMPTY")).ListSymbols());
    }

    /// <summary>
    /// A daily file of its header alone (or of bad rows only) left its symbol out of the listing, or listed it without daily
    /// bars, and nothing said why: the file is named in the symbol's problem.
    /// </summary>
    [Fact]
    public void ListSymbols_ADailyFileWithoutUsableRows_IsListedWithItsProblem_NamingTheFile()
    {
        var headerOnly = _dir.Write("daily/EMPTY.csv", DailyHeader);
        var badOnly = _dir.Write("daily/BAD.csv", DailyHeader + "2020-01-02,x,11,9,10.5,1000\n");
        WriteMinuteDay("BAD", 7);

        var listed = new CsvBarHistory(_dir.Path).ListSymbols();

        Assert.Equal(
            [
                new CsvBarFiles("BAD", new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 7), 1, null, null,
                    $"Market data file '{badOnly}' has no usable rows: 1 bad rows of 1."),
                new CsvBarFiles("EMPTY", null, null, 0, null, null, $"Market data file '{headerOnly}' has no rows after its header."),
            ],
            listed);
    }

    /// <summary>
    /// A minute file of its header alone (or of bad rows only) was counted as a trading day by its name, though a backtest
    /// got no bar from it: it is not a day, and it is named in the symbol's problem as a daily file is.
    /// </summary>
    [Fact]
    public void ListSymbols_AMinuteFileWithoutUsableRows_IsNotADay_AndIsListedWithItsProblem()
    {
        WriteMinuteDay("ABC", 7);
        var headerOnly = _dir.Write("minute/ABC/2013-10-08.trades.csv", MinuteHeader);
        WriteMinuteDay("ABC", 9);
        var badOnly = _dir.Write("minute/BAD/2013-10-07.trades.csv", MinuteHeader + "2013-10-07T09:30:00.000-04:00,x,11,9,10,100\n");

        var listed = new CsvBarHistory(_dir.Path).ListSymbols();

        Assert.Equal(
            [
                new CsvBarFiles("ABC", new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9), 2, null, null,
                    $"Market data file '{headerOnly}' has no rows after its header."),
                new CsvBarFiles("BAD", null, null, 0, null, null, $"Market data file '{badOnly}' has no usable rows: 1 bad rows of 1."),
            ],
            listed);
    }

    [Fact]
    public void ASymbolWithoutFiles_ReadsAsNoBars()
    {
        var history = new CsvBarHistory(_dir.Path);

        Assert.Equal((0, 0L), (history.ReadLatest("NONE", Minute, 10, DateTimeOffset.MaxValue).Bars.Count, history.ReadLatest("NONE", Minute, 10, DateTimeOffset.MaxValue).SkippedRows));
        Assert.Empty(history.ReadLatest("NONE", CsvBarHistory.OneDay, 10, DateTimeOffset.MaxValue).Bars);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../daily/XYZ")]
    [InlineData("BRK/B")]
    [InlineData("")]
    [InlineData(".")]
    public void ASymbolThatWouldBeAPath_IsRefused(string symbol)
    {
        _dir.Write("daily/XYZ.csv", DailyHeader + "2020-01-02,10,11,9,10.5,1000\n");

        var refused = Assert.ThrowsAny<ArgumentException>(() => new CsvBarHistory(_dir.Path).ReadLatest(symbol, CsvBarHistory.OneDay, 10, DateTimeOffset.MaxValue));

        Assert.Contains("cannot name a market-data file", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileInAnotherFormat_FailsWithItsPath_AndOtherIntervals_AreNotServed()
    {
        var path = _dir.Write("daily/BAD.csv", "when,price\n2020-01-02,10\n");
        var history = new CsvBarHistory(_dir.Path);

        var failed = Assert.Throws<CsvFormatException>(() => history.ReadLatest("BAD", CsvBarHistory.OneDay, 10, DateTimeOffset.MaxValue));

        Assert.Contains(path, failed.Message, StringComparison.Ordinal);
        Assert.False(CsvBarHistory.Serves(TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => history.ReadLatest("BAD", TimeSpan.FromSeconds(1), 10, DateTimeOffset.MaxValue));
    }

    [Fact]
    public void TheSharedData_EveryDailyFile_IsListedWithoutAProblem_AndReadWithoutASkippedRow()
    {
        // The end rows are judged by one neighbour; real files (QQQ holds a gap of six years inside) must pass whole.
        var history = new CsvBarHistory(MarketDataFolder.Require());

        var daily = history.ListSymbols().Where(f => f.DailyFrom is not null || f.Problem is not null).ToList();

        Assert.Equal(["AAPL", "AIG", "BAC", "GOOG", "IBM", "IWM", "QQQ", "SPY"], daily.Select(f => f.Symbol));
        Assert.All(daily, f => Assert.Equal((new DateOnly(2021, 3, 31), (string?)null), (f.DailyTo, f.Problem)));
        Assert.All(daily, f => Assert.Equal(0, history.ReadLatest(f.Symbol, CsvBarHistory.OneDay, 20_000, DateTimeOffset.MaxValue).SkippedRows));
    }

    [Fact]
    public void TheSharedData_GivesTwentyThreeYearsOfSpyDays_AndFiveSessionsOfSpyMinutes()
    {
        var history = new CsvBarHistory(MarketDataFolder.Require());

        var days = history.ReadLatest("SPY", CsvBarHistory.OneDay, 20_000, new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, days.SkippedRows);
        Assert.Equal((new DateOnly(1998, 1, 2), new DateOnly(2020, 12, 31)),
            (DateOnly.FromDateTime(days.Bars[0].Start.UtcDateTime), DateOnly.FromDateTime(days.Bars[^1].Start.UtcDateTime)));
        Assert.True(days.Bars.Count > 5_700, $"{days.Bars.Count} days");

        // Every trade bar of 2013-10-07..11 (the files hold 828, 828, 813, 883 and 776 rows): 4,128.
        var spy = Assert.Single(history.ListSymbols(), f => f.Symbol == "SPY");
        Assert.Equal((new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 11), 5, new DateOnly(1998, 1, 2), new DateOnly(2021, 3, 31)),
            (spy.MinuteFrom, spy.MinuteTo, spy.MinuteDays, spy.DailyFrom, spy.DailyTo));

        var minutes = history.ReadLatest("SPY", Minute, 20_000, new DateTimeOffset(2013, 10, 12, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal((4_128, 0L), (minutes.Bars.Count, minutes.SkippedRows));
        Assert.Equal(NewYork(7, 4, 0), minutes.Bars[0].Start);
        Assert.True(minutes.Bars.Zip(minutes.Bars.Skip(1)).All(p => p.First.Start < p.Second.Start), "in time order");
    }
}
