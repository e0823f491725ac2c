using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Warm-up: a strategy that starts without a snapshot is fed the latest completed bars it asks for
/// (<see cref="Domain.Strategies.IStrategy.WarmUpBars"/>) before live data, so an SMA(50) acts on its first live bar
/// instead of fifty minutes later. Orders it places on history are refused, never sent.
/// </summary>
internal sealed partial class StrategyGrain
{
    /// <summary>The symbol grains keep at most 3,600 one-second and 1,440 one-minute bars; no source is asked for more.</summary>
    internal const int MaxWarmUpBars = 3_600;

    internal const string SiloSource = "silo";

    // The history is read inside the start's turn: a slow vendor must not hold the grain (and the caller) for long.
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, DateTimeOffset> _warmedUpTo = new(StringComparer.Ordinal);
    private StrategyWarmUp? _warmUp;

    /// <summary>The latest bars of every symbol, merged in time order; records where each symbol's came from.</summary>
    private async Task<IReadOnlyList<Bar>> ReadWarmUpBarsAsync(DateTimeOffset before)
    {
        _warmUp = null;
        int wanted;
        try
        {
            wanted = Math.Min(_strategy!.WarmUpBars, MaxWarmUpBars);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            S.LastError = $"Warm-up skipped: WarmUpBars failed: {ex.Message}";
            StrategyLog.StrategyFailed(logger, ex, _accountId, _strategyId);
            return [];
        }

        if (wanted <= 0)
        {
            return [];
        }

        using var timeout = new CancellationTokenSource(WarmUpTimeout, time);
        var all = new List<Bar>();
        var symbols = new List<SymbolWarmUp>();
        foreach (var symbol in S.Symbols)
        {
            var (bars, report) = await LatestBarsAsync(symbol, wanted, before, timeout.Token);
            all.AddRange(bars);
            symbols.Add(report);
        }

        _warmUp = new StrategyWarmUp { At = before, BarsWanted = wanted, Symbols = symbols, IntentsRefused = 0 };
        return [.. all.OrderBy(b => b.End).ThenBy(b => b.Symbol, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Asks the registered history sources in order, then the symbol grain: the first with every bar wanted wins,
    /// otherwise the one with the most. A source that fails is passed over, and the reason kept.
    /// </summary>
    private async Task<(IReadOnlyList<Bar> Bars, SymbolWarmUp Report)> LatestBarsAsync(string symbol, int wanted, DateTimeOffset before, CancellationToken cancellationToken)
    {
        IReadOnlyList<Bar> best = [];
        var bestSource = "none";
        var problems = new List<string>();
        foreach (var source in historySources)
        {
            try
            {
                var bars = Latest(await source.GetLatestBarsAsync(symbol, S.BarInterval, wanted, before, cancellationToken), symbol, wanted, before);
                if (bars.Count > best.Count)
                {
                    (best, bestSource) = (bars, source.Name);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                problems.Add($"{source.Name}: {(cancellationToken.IsCancellationRequested ? $"no answer within {WarmUpTimeout.TotalSeconds:0} s" : ex.Message)}");
                StrategyLog.WarmUpSourceFailed(logger, ex, _accountId, _strategyId, source.Name, symbol);
            }

            if (best.Count >= wanted)
            {
                break;
            }
        }

        if (best.Count < wanted)
        {
            var held = Latest(await GrainFactory.GetGrain<ISymbolGrain>(symbol).GetBarsAsync(S.BarInterval, DateTimeOffset.MinValue, before), symbol, wanted, before);
            if (held.Count > best.Count)
            {
                (best, bestSource) = (held, SiloSource);
            }
        }

        return (best, new SymbolWarmUp
        {
            Symbol = symbol,
            Bars = best.Count,
            Source = bestSource,
            FirstBarStart = best.Count > 0 ? best[0].Start : null,
            LastBarEnd = best.Count > 0 ? best[^1].End : null,
            Problem = problems.Count > 0 ? string.Join("; ", problems) : null,
        });
    }

    /// <summary>Keeps a source honest: the symbol's bars of the strategy's interval that ended by then, the latest ones, in time order.</summary>
    private IReadOnlyList<Bar> Latest(IReadOnlyList<Bar> bars, string symbol, int wanted, DateTimeOffset before)
    {
        var kept = bars
            .Where(b => b.Interval == S.BarInterval && b.End <= before && string.Equals(b.Symbol, symbol, StringComparison.Ordinal))
            .DistinctBy(b => b.Start)
            .OrderBy(b => b.Start)
            .ToArray();
        return kept.Length > wanted ? kept[^wanted..] : kept;
    }

    /// <summary>Feeds the history with the context in warm-up, refusing every intent; then the clock moves to now.</summary>
    private void FeedWarmUp(IReadOnlyList<Bar> history, DateTimeOffset now)
    {
        if (_warmUp is null)
        {
            S.WarmUp = null;
            return;
        }

        long refused = 0;
        _context!.IsWarmingUp = true;
        try
        {
            foreach (var bar in history)
            {
                Advance(bar.End);
                Guard(static (strategy, b) => strategy.OnBar(b), _strategy!, bar);
                foreach (var intent in _context.DrainIntents())
                {
                    refused++;
                    Close(intent, OrderStatus.Denied, "Not sent: the strategy was warming up on history.");
                }

                _warmedUpTo[bar.Symbol] = bar.End;
            }
        }
        finally
        {
            _context.IsWarmingUp = false;
        }

        Advance(now);
        S.NextSequence = _context.NextSequence;
        S.WarmUp = _warmUp with { IntentsRefused = refused };
        _dirty = true;
        StrategyLog.WarmedUp(logger, _accountId, _strategyId, history.Count, string.Join(", ", S.WarmUp.Symbols.Select(s => $"{s.Symbol} {s.Bars} from {s.Source}")));
    }

    /// <summary>A live bar the warm-up already fed (published between the subscription and the read of the history).</summary>
    private bool WarmedUpOn(Bar bar) => _warmedUpTo.TryGetValue(bar.Symbol, out var end) && bar.End <= end;
}
