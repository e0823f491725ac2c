namespace OrleansTrader.Domain.Tests.Bars;

/// <summary>
/// Finds the shared market data (not part of the repository): env ORLEANSTRADER_MARKET_DATA, else the first
/// ancestor of the test binaries that has shared/data/market beside it.
/// </summary>
internal static class MarketDataFolder
{
    public static string? Find()
    {
        var overridden = Environment.GetEnvironmentVariable("ORLEANSTRADER_MARKET_DATA");
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Directory.Exists(overridden) ? overridden : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "market");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
