using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;

namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Reads past bars from a folder of market-data files (the layout of docs/market-data.md): one-minute trade bars from
/// <c>minute/SYM/DATE.trades.csv[.gz]</c> and daily bars from <c>daily/SYM.csv[.gz]</c>. Backtests run on them.
/// </summary>
/// <remarks>
/// Only the files a request needs are opened: minute files newest first until the count is reached, the daily file
/// once. Rows that do not parse, and bars whose prices do not hold together (not positive, a high under the low, an open
/// or close outside the range, a negative volume), are skipped and counted, never used.
/// </remarks>
public sealed class CsvBarHistory
{
    public static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public CsvBarHistory(string dataPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataPath);
        DataPath = Path.GetFullPath(dataPath);
    }

    /// <summary>The folder read, as an absolute path.</summary>
    public string DataPath { get; }

    /// <summary>True for the intervals the files hold: one minute and one day.</summary>
    public static bool Serves(TimeSpan interval) => interval == OneMinute || interval == OneDay;

    /// <summary>
    /// Up to <paramref name="count"/> of the latest bars of <paramref name="interval"/> that ended by
    /// <paramref name="before"/> (and started at or after <paramref name="since"/>), oldest first, with the rows skipped
    /// on the way. A symbol without files reads as no bars. Throws <see cref="CsvFormatException"/> for a file that is not
    /// in its format (a wrong header, broken gzip).
    /// </summary>
    public CsvBarRead ReadLatest(string symbol, TimeSpan interval, int count, DateTimeOffset before, DateTimeOffset? since = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!Serves(interval))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "Market-data files hold one-minute and daily bars.");
        }

        if (!IsFileName(symbol))
        {
            throw new ArgumentException($"'{symbol}' cannot name a market-data file.", nameof(symbol));
        }

        var skipped = 0L;
        void Skip(CsvRowError error) => skipped++;
        var newestFirst = new List<IReadOnlyList<Bar>>();
        var total = 0;
        var from = since ?? DateTimeOffset.MinValue;
        foreach (var source in interval == OneDay ? CsvSourceDiscovery.DailyFile(DataPath, symbol) : MinuteFilesNewestFirst(symbol, before, from))
        {
            var bars = new List<Bar>();
            using (var reader = CsvFileReader.Open(source, Skip))
            {
                while (reader.TryReadNext(out var marketEvent))
                {
                    if (marketEvent is not BarEvent { Bar: var bar } || bar.End > before || bar.Start < from)
                    {
                        continue;
                    }

                    if (HoldsTogether(bar))
                    {
                        bars.Add(bar);
                    }
                    else
                    {
                        skipped++;
                    }
                }
            }

            newestFirst.Add(bars);
            total += bars.Count;
            if (total >= count)
            {
                break;
            }
        }

        // The files came newest first, and a file's rows may repeat a minute or step back: sorted, one bar per start.
        var all = newestFirst.AsEnumerable().Reverse().SelectMany(b => b)
            .DistinctBy(b => b.Start)
            .OrderBy(b => b.Start)
            .ToArray();
        return new CsvBarRead(all.Length > count ? all[^count..] : all, skipped);
    }

    /// <summary>Letters, digits, '.' and '-', with a letter or digit: never a path of its own (no separator, no "..").</summary>
    private static bool IsFileName(string symbol) =>
        symbol is { Length: > 0 and <= 32 }
        && symbol.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
        && symbol.Any(char.IsAsciiLetterOrDigit);

    private static bool HoldsTogether(Bar bar) =>
        bar.Low > 0m && bar.High >= bar.Low
        && bar.Open >= bar.Low && bar.Open <= bar.High
        && bar.Close >= bar.Low && bar.Close <= bar.High
        && bar.Volume >= 0m;

    /// <summary>
    /// The symbol's minute trade-bar files dated from the day before <paramref name="from"/> up to the day after
    /// <paramref name="before"/> (a file's date is the exchange's, hours behind UTC), newest first.
    /// </summary>
    private IEnumerable<CsvSource> MinuteFilesNewestFirst(string symbol, DateTimeOffset before, DateTimeOffset from)
    {
        var folder = Path.Combine(DataPath, "minute", symbol);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var day = DateOnly.FromDateTime(before.UtcDateTime);
        var last = day < DateOnly.MaxValue ? day.AddDays(1) : day;
        var firstDay = DateOnly.FromDateTime(from.UtcDateTime);
        var first = firstDay > DateOnly.MinValue ? firstDay.AddDays(-1) : firstDay;
        var files = new List<(DateOnly Date, string Path)>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            if (CsvSourceDiscovery.TryDateOf(Path.GetFileName(path), ".trades.csv", out var date) && date <= last && date >= first)
            {
                files.Add((date, path));
            }
        }

        return files
            .OrderByDescending(f => f.Date)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .DistinctBy(f => f.Date)
            .Select(f => new CsvSource(f.Path, symbol, CsvFileKind.MinuteTradeBars))
            .ToList();
    }
}

/// <summary>The bars read, oldest first, and how many rows were skipped as unreadable or inconsistent.</summary>
public sealed record CsvBarRead(IReadOnlyList<Bar> Bars, long SkippedRows);
