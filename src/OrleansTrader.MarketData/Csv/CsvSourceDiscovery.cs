using System.Globalization;
using System.IO.Compression;
using System.Text;
using OrleansTrader.MarketData.Time;

namespace OrleansTrader.MarketData.Csv;

/// <summary>Finds the files for the configured symbols, kinds and date range in the data folder layout.</summary>
public static class CsvSourceDiscovery
{
    public static IReadOnlyList<CsvSource> Discover(CsvReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sources = new List<CsvSource>();
        foreach (var symbol in options.Symbols.Distinct(StringComparer.Ordinal))
        {
            var forSymbol = SourcesOf(options, symbol);
            if (forSymbol.Count == 0)
            {
                throw new CsvFormatException(NoFiles(options, symbol));
            }

            sources.AddRange(forSymbol);
        }

        return sources;
    }

    /// <summary>Why the symbol has nothing to replay (no file of the configured kinds and dates), or null when it has files.</summary>
    internal static string? MissingFilesOf(CsvReplayOptions options, string symbol)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SourcesOf(options, symbol).Count == 0 ? NoFiles(options, symbol) : null;
    }

    private static List<CsvSource> SourcesOf(CsvReplayOptions options, string symbol)
    {
        var sources = new List<CsvSource>();
        foreach (var kind in KindsOf(options))
        {
            sources.AddRange(kind == CsvFileKind.DailyBars
                ? DailyFile(options.DataPath, symbol).Where(daily => HasRowBetween(daily.Path, options.StartDate, options.EndDate))
                : DatedFiles(options, symbol, kind));
        }

        return sources;
    }

    private static List<CsvFileKind> KindsOf(CsvReplayOptions options) =>
        options.Kinds.Count == 0 ? [CsvFileKind.MinuteTradeBars] : options.Kinds.Distinct().ToList();

    private static string NoFiles(CsvReplayOptions options, string symbol)
    {
        var offLayout = OffLayoutFilesOf(options, symbol);
        return $"No market data files for symbol '{symbol}' ({string.Join(", ", KindsOf(options))}) under '{options.DataPath}'" +
            (options.StartDate is null && options.EndDate is null
                ? "."
                : $" between {Describe(options.StartDate)} and {Describe(options.EndDate)}.") +
            $" Looked for {string.Join(", ", KindsOf(options).Select(kind => LayoutOf(kind, symbol)))}." +
            (offLayout.Count == 0 ? string.Empty : $" Not read, named off that layout: {string.Join(", ", offLayout)}.");
    }

    /// <summary>
    /// The files, relative to the data folder, that the replay of the configured symbols and kinds does not read because
    /// no layout names them: in a symbol's folder (<c>minute/SPY/SPY-2013-10-07.csv</c>) or loose in <c>minute/</c> or
    /// <c>ticks/</c>, which hold symbol folders only. Found without a word, such a file left a user with no data and no reason.
    /// </summary>
    public static IReadOnlyList<string> OffLayoutFiles(CsvReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<string>();
        foreach (var area in DatedAreasOf(options))
        {
            files.AddRange(FilesIn(options.DataPath, area).Select(path => Path.GetRelativePath(options.DataPath, path)));
        }

        foreach (var symbol in options.Symbols.Distinct(StringComparer.Ordinal))
        {
            files.AddRange(OffLayoutInSymbolFolders(options, symbol));
        }

        return files;
    }

    /// <summary>The symbol's off-layout files: in its folders, and those loose in minute/ or ticks/ whose name starts with it.</summary>
    private static List<string> OffLayoutFilesOf(CsvReplayOptions options, string symbol) =>
    [
        .. DatedAreasOf(options)
            .SelectMany(area => FilesIn(options.DataPath, area))
            .Where(path => Path.GetFileName(path).StartsWith(symbol, StringComparison.OrdinalIgnoreCase))
            .Select(path => Path.GetRelativePath(options.DataPath, path)),
        .. OffLayoutInSymbolFolders(options, symbol),
    ];

    private static IEnumerable<string> OffLayoutInSymbolFolders(CsvReplayOptions options, string symbol) =>
        DatedAreasOf(options)
            .SelectMany(area => FilesIn(options.DataPath, Path.Combine(area, symbol)))
            .Where(path => !IsDatedFileName(Path.GetFileName(path)))
            .Select(path => Path.GetRelativePath(options.DataPath, path));

    private static IEnumerable<string> DatedAreasOf(CsvReplayOptions options) =>
        KindsOf(options).Select(DatedLayout).OfType<(string Area, string Suffix)>().Select(layout => layout.Area).Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> FilesIn(string root, string folder)
    {
        var path = Path.Combine(root, folder);
        return Directory.Exists(path) ? Directory.EnumerateFiles(path).Order(StringComparer.Ordinal) : [];
    }

    /// <summary>Whether a name is one of a dated layout's, of any kind (another kind's file is not off the layout).</summary>
    private static bool IsDatedFileName(string fileName) =>
        TryDateOf(fileName, ".trades.csv", out _) || TryDateOf(fileName, ".quotes.csv", out _);

    private static string LayoutOf(CsvFileKind kind, string symbol) => DatedLayout(kind) is { } layout
        ? $"{layout.Area}/{symbol}/yyyy-MM-dd{layout.Suffix}[.gz]"
        : $"daily/{symbol}.csv[.gz]";

    /// <summary>The symbol's daily file (plain before gzip), or none.</summary>
    internal static List<CsvSource> DailyFile(string root, string symbol)
    {
        var folder = Path.Combine(root, "daily");
        return new[] { ".csv", ".csv.gz" }
            .Select(ext => Path.Combine(folder, symbol + ext))
            .Where(File.Exists)
            .Take(1)
            .Select(path => new CsvSource(path, symbol, CsvFileKind.DailyBars))
            .ToList();
    }

    /// <summary>
    /// Whether a daily file holds a row dated within the range: it holds every date in one file, so a file beside a range
    /// it does not reach passed the start-up check and the replay delivered nothing for the symbol. A file that cannot be
    /// read counts as holding rows: the replay then reports what is wrong with it, naming it.
    /// </summary>
    private static bool HasRowBetween(string path, DateOnly? from, DateOnly? to)
    {
        if (from is null && to is null)
        {
            return true;
        }

        try
        {
            using var file = File.OpenRead(path);
            using var reader = new StreamReader(
                path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file,
                Encoding.UTF8,
                detectEncodingFromByteOrderMarks: true);
            reader.ReadLine(); // the header
            while (reader.ReadLine() is { } line)
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                if (IsoTimestamp.TryParseDate(comma < 0 ? line : line.AsSpan(0, comma), out var date) &&
                    (from is not { } start || date >= start) && (to is not { } end || date <= end))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return true;
        }
    }

    private static List<CsvSource> DatedFiles(CsvReplayOptions options, string symbol, CsvFileKind kind)
    {
        var (area, suffix) = DatedLayout(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a dated file kind.");
        var folder = Path.Combine(options.DataPath, area, symbol);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var result = new List<(DateOnly Date, string Path)>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            if (!TryDateOf(Path.GetFileName(path), suffix, out var date))
            {
                continue;
            }

            if ((options.StartDate is { } from && date < from) || (options.EndDate is { } to && date > to))
            {
                continue;
            }

            result.Add((date, path));
        }

        return result
            .OrderBy(r => r.Date)
            .ThenBy(r => r.Path, StringComparer.Ordinal)
            .DistinctBy(r => r.Date) // a day held plain and gzipped is read once (plain first), not replayed twice
            .Select(r => new CsvSource(r.Path, symbol, kind))
            .ToList();
    }

    /// <summary>
    /// The trading date a file of one day holds, from its name (<c>2013-10-07.trades.csv</c>), or null for a daily file
    /// (every date in one) or a file named otherwise.
    /// </summary>
    internal static DateOnly? DayOf(CsvSource source) =>
        DatedLayout(source.Kind) is { } layout && TryDateOf(Path.GetFileName(source.Path), layout.Suffix, out var date) ? date : null;

    private static (string Area, string Suffix)? DatedLayout(CsvFileKind kind) => kind switch
    {
        CsvFileKind.MinuteTradeBars => ("minute", ".trades.csv"),
        CsvFileKind.MinuteQuoteBars => ("minute", ".quotes.csv"),
        CsvFileKind.TradeTicks => ("ticks", ".trades.csv"),
        CsvFileKind.QuoteTicks => ("ticks", ".quotes.csv"),
        _ => null,
    };

    /// <summary>The date of a dated file name, <c>yyyy-MM-dd{suffix}</c> or the same with ".gz".</summary>
    internal static bool TryDateOf(string fileName, string suffix, out DateOnly date)
    {
        var stem = fileName.EndsWith(suffix + ".gz", StringComparison.Ordinal) ? fileName[..^(suffix.Length + 3)]
            : fileName.EndsWith(suffix, StringComparison.Ordinal) ? fileName[..^suffix.Length]
            : null;
        date = default;
        return stem is not null && DateOnly.TryParseExact(stem, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private static string Describe(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "any date";
}
