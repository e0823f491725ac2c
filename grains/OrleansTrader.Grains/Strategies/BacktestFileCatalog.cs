using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData.Csv;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// What the folder of market-data files holds, listed at most once a minute: a listing reads every daily file through,
/// and any API key may ask for it, so repeated asks must not repeat the reading. Files added since show within a minute
/// of elapsed time: kept by the wall clock, a clock set back an hour served the old listing for the hour.
/// </summary>
internal sealed class BacktestFileCatalog(IOptions<BacktestFilesOptions> files, TimeProvider time)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private (IReadOnlyList<BacktestFileSet> Sets, long ListedAt)? _listed;

    /// <summary>Per symbol, what the folder holds; null when the silo has no folder of files.</summary>
    public IReadOnlyList<BacktestFileSet>? List()
    {
        if (files.Value.DataPath is not { Length: > 0 } dataPath)
        {
            return null;
        }

        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (_listed is { } listed && time.GetElapsedTime(listed.ListedAt, now) < KeptFor)
            {
                return listed.Sets;
            }
        }

        IReadOnlyList<BacktestFileSet> sets = [.. new CsvBarHistory(dataPath).ListSymbols().Select(f => new BacktestFileSet
        {
            Symbol = f.Symbol,
            MinuteFrom = f.MinuteFrom,
            MinuteTo = f.MinuteTo,
            MinuteDays = f.MinuteDays,
            DailyFrom = f.DailyFrom,
            DailyTo = f.DailyTo,
            Problem = f.Problem,
        })];
        lock (_lock)
        {
            _listed = (sets, now);
        }

        return sets;
    }
}
