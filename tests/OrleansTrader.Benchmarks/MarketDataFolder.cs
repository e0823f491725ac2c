namespace OrleansTrader.Benchmarks;

/// <summary>
/// The shared market data (../shared/data/market beside the repository, or ORLEANSTRADER_MARKET_DATA): the folder that
/// holds <paramref name="subfolder"/> (itself when empty), or null when there is none.
/// </summary>
internal static class MarketDataFolder
{
    public static string? Find(string subfolder = "")
    {
        if (Environment.GetEnvironmentVariable("ORLEANSTRADER_MARKET_DATA") is { Length: > 0 } configured)
        {
            return Directory.Exists(Path.Combine(configured, subfolder)) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "market");
            if (Directory.Exists(Path.Combine(candidate, subfolder)))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The SPY trade-tick days the replay scenarios read: 2013-10-07 to 2013-10-11, the first day only with --quick.</summary>
    public static (DateOnly First, DateOnly Last) SpyTickDays(bool quick) =>
        (new DateOnly(2013, 10, 7), quick ? new DateOnly(2013, 10, 7) : new DateOnly(2013, 10, 11));

    /// <summary>
    /// The days from <paramref name="first"/> to <paramref name="last"/> (weekdays) with no <c>yyyy-MM-dd.trades.csv</c>
    /// (or .csv.gz) in <paramref name="folder"/>: the replay skips a missing day without a word, so a scenario would
    /// otherwise report a rate over fewer days than it says.
    /// </summary>
    public static IReadOnlyList<DateOnly> MissingTradeDays(string folder, DateOnly first, DateOnly last)
    {
        var missing = new List<DateOnly>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var name = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + ".trades.csv";
            if (!File.Exists(Path.Combine(folder, name)) && !File.Exists(Path.Combine(folder, name + ".gz")))
            {
                missing.Add(day);
            }
        }

        return missing;
    }
}
