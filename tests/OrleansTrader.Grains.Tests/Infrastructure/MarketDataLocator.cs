namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Finds the shared market data: ORLEANSTRADER_MARKET_DATA, else shared/data/market beside an ancestor folder.</summary>
public static class MarketDataLocator
{
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("ORLEANSTRADER_MARKET_DATA") is { Length: > 0 } configured && Directory.Exists(configured))
        {
            return configured;
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
