namespace OrleansTrader.MarketData.Tests.Support;

/// <summary>Finds the shared real market data (outside the repository), or null when it is not there.</summary>
internal static class MarketDataFolder
{
    public static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ORLEANSTRADER_MARKET_DATA");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
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

    public static string Require()
    {
        var folder = Find();
        if (folder is null)
        {
            Assert.Skip("Real market data not found (shared/data/market next to an ancestor folder, or ORLEANSTRADER_MARKET_DATA).");
        }

        return folder;
    }
}
