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
}
