using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.MarketData;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// The latest completed bars of a strategy's symbols, for a warm-up or a backtest: the registered history sources are
/// asked in order, then the symbol grain; the first with every bar asked for wins, otherwise the one with the most. A
/// source that fails or does not answer in time is passed over, and the reason kept.
/// </summary>
internal sealed partial class LatestBarsReader(IEnumerable<IHistoricalBarSource> sources, TimeProvider time, ILogger<LatestBarsReader> logger)
{
    /// <summary>The symbol grains keep at most 3,600 one-second and 1,440 one-minute bars; no source is asked for more.</summary>
    public const int MaxBars = RunBacktest.MaxBars;

    public const string SiloSource = "silo";

    /// <summary>The history is read inside a grain's turn: a slow vendor must not hold the grain (and its caller) for long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly IHistoricalBarSource[] _sources = [.. sources];

    /// <summary>
    /// Up to <paramref name="count"/> bars per symbol that ended by <paramref name="before"/> (and started at or after
    /// <paramref name="since"/>), each symbol's oldest first.
    /// </summary>
    public async Task<IReadOnlyList<(IReadOnlyList<Bar> Bars, SymbolBars Report)>> ReadAsync(
        IGrainFactory grains, IReadOnlyList<string> symbols, TimeSpan interval, int count, DateTimeOffset before, DateTimeOffset? since = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBars);
        using var timeout = new CancellationTokenSource(Timeout, time);
        var read = new List<(IReadOnlyList<Bar>, SymbolBars)>(symbols.Count);
        foreach (var symbol in symbols)
        {
            read.Add(await ReadAsync(grains, symbol, interval, count, before, since ?? DateTimeOffset.MinValue, timeout.Token));
        }

        return read;
    }

    private async Task<(IReadOnlyList<Bar> Bars, SymbolBars Report)> ReadAsync(
        IGrainFactory grains, string symbol, TimeSpan interval, int count, DateTimeOffset before, DateTimeOffset since, CancellationToken cancellationToken)
    {
        IReadOnlyList<Bar> best = [];
        var bestSource = "none";
        var problems = new List<string>();
        foreach (var source in _sources)
        {
            try
            {
                var bars = Latest(await source.GetLatestBarsAsync(symbol, interval, count, before, cancellationToken), symbol, interval, count, before, since);
                if (bars.Count > best.Count)
                {
                    (best, bestSource) = (bars, source.Name);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                problems.Add($"{source.Name}: {(cancellationToken.IsCancellationRequested ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message)}");
                SourceFailed(logger, ex, source.Name, symbol);
            }

            if (best.Count >= count)
            {
                break;
            }
        }

        if (best.Count < count)
        {
            var held = Latest(await grains.GetGrain<ISymbolGrain>(symbol).GetBarsAsync(interval, DateTimeOffset.MinValue, before), symbol, interval, count, before, since);
            if (held.Count > best.Count)
            {
                (best, bestSource) = (held, SiloSource);
            }
        }

        return (best, Report(symbol, best, bestSource, problems.Count > 0 ? string.Join("; ", problems) : null));
    }

    /// <summary>The report of one symbol's bars: how many, from where, the time they cover, and what went wrong on the way.</summary>
    public static SymbolBars Report(string symbol, IReadOnlyList<Bar> bars, string source, string? problem) => new()
    {
        Symbol = symbol,
        Bars = bars.Count,
        Source = source,
        FirstBarStart = bars.Count > 0 ? bars[0].Start : null,
        LastBarEnd = bars.Count > 0 ? bars[^1].End : null,
        Problem = problem,
    };

    /// <summary>
    /// Keeps a source honest: the symbol's bars of the interval that started at or after <paramref name="since"/> and ended by
    /// <paramref name="before"/>, the latest ones, in time order.
    /// </summary>
    private static IReadOnlyList<Bar> Latest(IReadOnlyList<Bar> bars, string symbol, TimeSpan interval, int count, DateTimeOffset before, DateTimeOffset since)
    {
        var kept = bars
            .Where(b => b.Interval == interval && b.End <= before && b.Start >= since && string.Equals(b.Symbol, symbol, StringComparison.Ordinal))
            .DistinctBy(b => b.Start)
            .OrderBy(b => b.Start)
            .ToArray();
        return kept.Length > count ? kept[^count..] : kept;
    }

    [LoggerMessage(EventId = 5411, Level = LogLevel.Warning, Message = "History source {Source} gave no bars for {Symbol}; the next source is asked")]
    private static partial void SourceFailed(ILogger logger, Exception exception, string source, string symbol);
}
