using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Reads past bars from a folder of market-data files (the layout of docs/market-data.md): one-minute trade bars from
/// <c>minute/SYM/DATE.trades.csv[.gz]</c> and daily bars from <c>daily/SYM.csv[.gz]</c>. Backtests run on them.
/// </summary>
/// <remarks>
/// Only the files a request needs are opened: minute files newest first until the count is reached, the daily file
/// once. Rows that do not parse, bars whose prices do not hold together (not positive, a high under the low, an open
/// or close outside the range, a negative volume) or pass the live feed's price ceiling, and a second row for a start
/// already read, are skipped and counted, never used.
/// </remarks>
public sealed class CsvBarHistory
{
    public static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    private readonly decimal _maxPrice;

    /// <param name="dataPath">The folder of market-data files.</param>
    /// <param name="maxPrice">
    /// The highest price a bar may have (<c>MarketData:Validation:MaxPrice</c>, as for the live feed): a row priced near
    /// a decimal's limit overflowed the backtester's sums and marks, and one merely absurd was traded on.
    /// </param>
    public CsvBarHistory(string dataPath, decimal maxPrice = TickValidatorOptions.DefaultMaxPrice)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPrice);
        DataPath = Path.GetFullPath(dataPath);
        _maxPrice = maxPrice;
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

        if (!CanNameFile(symbol))
        {
            throw new ArgumentException($"'{symbol}' cannot name a market-data file.", nameof(symbol));
        }

        var skipped = 0L;
        void Skip(CsvRowError error) => skipped++;
        var found = new List<Bar>();
        var starts = new HashSet<DateTimeOffset>();
        var from = since ?? DateTimeOffset.MinValue;
        foreach (var source in interval == OneDay ? CsvSourceDiscovery.DailyFile(DataPath, symbol) : MinuteFilesNewestFirst(symbol, before, from))
        {
            using var reader = CsvFileReader.Open(source, Skip);
            while (reader.TryReadNext(out var marketEvent))
            {
                if (marketEvent is not BarEvent { Bar: var bar } || bar.End > before || bar.Start < from)
                {
                    continue;
                }

                if (HoldsTogether(bar))
                {
                    found.Add(bar);
                    starts.Add(bar.Start);
                }
                else
                {
                    skipped++;
                }
            }

            // A repeated minute is one bar: stopping on the rows read could return fewer bars than the older files hold.
            if (starts.Count >= count)
            {
                break;
            }
        }

        // The files came newest first, and a file's rows may repeat a minute or step back: sorted, one bar per start. A
        // repeated start is a row not used, so it is counted with the skipped ones (the second of two differing rows for
        // one date went unused without a word).
        var all = found.DistinctBy(b => b.Start).OrderBy(b => b.Start).ToArray();
        skipped += found.Count - all.Length;
        return new CsvBarRead(all.Length > count ? all[^count..] : all, skipped);
    }

    /// <summary>
    /// What the folder holds per symbol: the dates of its minute trade-bar files with a usable bar and the first and last
    /// dates of its daily file (read through, bad rows skipped; a minute or daily file in another format, or without a
    /// usable row, is the symbol's problem), in symbol order.
    /// Folders and files that cannot name a symbol are passed over.
    /// </summary>
    public IReadOnlyList<CsvBarFiles> ListSymbols()
    {
        var minuteDays = new SortedDictionary<string, List<DateOnly>>(StringComparer.Ordinal);
        var minuteProblems = new Dictionary<string, string>(StringComparer.Ordinal);
        var minuteRoot = Path.Combine(DataPath, "minute");
        if (Directory.Exists(minuteRoot))
        {
            foreach (var folder in Directory.EnumerateDirectories(minuteRoot))
            {
                var symbol = Path.GetFileName(folder);
                if (!CanNameFile(symbol))
                {
                    continue;
                }

                // One file per date, the one a backtest reads (MinuteFilesNewestFirst); it counts as a day only with a
                // usable bar: a file of its header alone was counted as a trading day that gave the backtest nothing.
                var days = new List<DateOnly>();
                var unusable = new List<string>();
                foreach (var (date, path) in Directory.EnumerateFiles(folder)
                    .Select(path => (Ok: CsvSourceDiscovery.TryDateOf(Path.GetFileName(path), ".trades.csv", out var date), Date: date, Path: path))
                    .Where(f => f.Ok)
                    .OrderBy(f => f.Date)
                    .ThenBy(f => f.Path, StringComparer.Ordinal)
                    .DistinctBy(f => f.Date)
                    .Select(f => (f.Date, f.Path)))
                {
                    if (MinuteFileProblem(new CsvSource(path, symbol, CsvFileKind.MinuteTradeBars)) is { } problem)
                    {
                        unusable.Add(problem);
                    }
                    else
                    {
                        days.Add(date);
                    }
                }

                if (days.Count > 0)
                {
                    minuteDays[symbol] = days;
                }

                if (unusable.Count > 0)
                {
                    minuteProblems[symbol] = unusable.Count == 1
                        ? unusable[0]
                        : $"{unusable[0]} {unusable.Count - 1} more minute file(s) of {symbol} have no usable rows either; none of them counts as a day.";
                }
            }
        }

        var daily = new SortedDictionary<string, (DateOnly First, DateOnly Last)>(StringComparer.Ordinal);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var dailyRoot = Path.Combine(DataPath, "daily");
        if (Directory.Exists(dailyRoot))
        {
            foreach (var path in Directory.EnumerateFiles(dailyRoot))
            {
                var name = Path.GetFileName(path);
                var symbol = name.EndsWith(".csv.gz", StringComparison.Ordinal) ? name[..^7]
                    : name.EndsWith(".csv", StringComparison.Ordinal) ? name[..^4]
                    : null;
                if (symbol is null || !CanNameFile(symbol) || daily.ContainsKey(symbol))
                {
                    continue;
                }

                try
                {
                    var (range, problem) = DailyRange(new CsvSource(path, symbol, CsvFileKind.DailyBars));
                    if (range is { } dates)
                    {
                        daily[symbol] = dates;
                    }
                    else
                    {
                        problems[symbol] = problem;
                    }
                }
                catch (CsvFormatException ex)
                {
                    problems[symbol] = ex.Message;
                }
            }
        }

        return [.. minuteDays.Keys.Union(daily.Keys).Union(problems.Keys).Union(minuteProblems.Keys).Order(StringComparer.Ordinal).Select(symbol =>
        {
            var days = minuteDays.GetValueOrDefault(symbol);
            (DateOnly First, DateOnly Last)? range = daily.TryGetValue(symbol, out var r) ? r : null;
            string?[] found = [minuteProblems.GetValueOrDefault(symbol), problems.GetValueOrDefault(symbol)];
            var problem = string.Join(" ", found.OfType<string>());
            return new CsvBarFiles(symbol, days?[0], days?[^1], days?.Count ?? 0, range?.First, range?.Last, problem.Length > 0 ? problem : null);
        })];
    }

    /// <summary>Why a minute file gives no bar (its header alone, bad rows only, another format), or null once it gives one.</summary>
    private static string? MinuteFileProblem(CsvSource source)
    {
        try
        {
            using var reader = CsvFileReader.Open(source, _ => { });
            while (reader.TryReadNext(out var marketEvent))
            {
                if (marketEvent is BarEvent)
                {
                    return null;
                }
            }

            return NoUsableRows(source, reader);
        }
        catch (CsvFormatException ex)
        {
            return ex.Message;
        }
    }

    private static string NoUsableRows(CsvSource source, CsvFileReader reader) =>
        reader.RowsRead == 0
            ? $"Market data file '{source.Path}' has no rows after its header."
            : $"Market data file '{source.Path}' has no usable rows: {reader.BadRows} bad rows of {reader.RowsRead}.";

    /// <summary>
    /// The first and last dates of a daily file's usable rows or, where it has none, why: a file of its header alone (or of
    /// bad rows only) left its symbol out of the listing, or listed without daily bars, and nothing said why.
    /// </summary>
    private static ((DateOnly First, DateOnly Last)? Range, string Problem) DailyRange(CsvSource source)
    {
        DateOnly? first = null;
        DateOnly? last = null;
        using var reader = CsvFileReader.Open(source, _ => { });
        while (reader.TryReadNext(out var marketEvent))
        {
            if (marketEvent is BarEvent { Bar: var bar })
            {
                var date = DateOnly.FromDateTime(bar.Start.UtcDateTime);
                first = first is { } f && f < date ? f : date;
                last = last is { } l && l > date ? l : date;
            }
        }

        return first is { } from && last is { } to
            ? ((from, to), string.Empty)
            : (null, NoUsableRows(source, reader));
    }

    /// <summary>Letters, digits, '.' and '-', with a letter or digit: never a path of its own (no separator, no "..").</summary>
    public static bool CanNameFile(string symbol) =>
        symbol is { Length: > 0 and <= 32 }
        && symbol.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
        && symbol.Any(char.IsAsciiLetterOrDigit);

    // The high bounds the other prices once they hold together, so it alone is held to the ceiling.
    private bool HoldsTogether(Bar bar) =>
        bar.Low > 0m && bar.High >= bar.Low
        && bar.Open >= bar.Low && bar.Open <= bar.High
        && bar.Close >= bar.Low && bar.Close <= bar.High
        && bar.High <= _maxPrice
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

/// <summary>
/// One symbol's files: the first and last dates of its minute trade bars and how many days of them, the first and last
/// dates of its daily bars (null where it has none), and why its daily file could not be read or gave no usable row.
/// </summary>
public sealed record CsvBarFiles(
    string Symbol, DateOnly? MinuteFrom, DateOnly? MinuteTo, int MinuteDays, DateOnly? DailyFrom, DateOnly? DailyTo, string? Problem);
