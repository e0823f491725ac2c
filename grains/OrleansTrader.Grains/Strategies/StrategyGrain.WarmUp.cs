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
    private readonly Dictionary<string, DateTimeOffset> _warmedUpTo = new(StringComparer.Ordinal);

    /// <summary>The latest bars of every symbol, merged in time order, and where each symbol's came from (null: none asked for).</summary>
    private async Task<(IReadOnlyList<Bar> Bars, StrategyWarmUp? WarmUp)> ReadWarmUpAsync(DateTimeOffset before)
    {
        int wanted;
        try
        {
            wanted = Math.Min(_strategy!.WarmUpBars, LatestBarsReader.MaxBars);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            S.LastError = $"Warm-up skipped: WarmUpBars failed: {ex.Message}";
            CountAndLogFailure(ex);
            return ([], null);
        }

        if (wanted <= 0)
        {
            return ([], null);
        }

        var read = await barsReader.ReadAsync(GrainFactory, S.Symbols, S.BarInterval, wanted, before);
        return ([.. read.SelectMany(r => r.Bars).OrderBy(b => b.End).ThenBy(b => b.Symbol, StringComparer.Ordinal)],
            new StrategyWarmUp { At = before, BarsWanted = wanted, Symbols = [.. read.Select(r => r.Report)], IntentsRefused = 0 });
    }

    /// <summary>Feeds the history with the context in warm-up, refusing every intent; then the clock moves to now.</summary>
    private void FeedWarmUp(IReadOnlyList<Bar> history, StrategyWarmUp? warmUp, DateTimeOffset now)
    {
        if (warmUp is null)
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

                // Nor is a cancel: sent after the warm-up, a signal on history alone withdrew a live order (a
                // protective stop, and the close that waited for it went out). The order stays open.
                _context.DrainCancels();

                _warmedUpTo[bar.Symbol] = bar.End;
            }
        }
        finally
        {
            _context.IsWarmingUp = false;
        }

        Advance(now);
        S.NextSequence = _context.NextSequence;
        S.WarmUp = warmUp with { IntentsRefused = refused };
        _dirty = true;
        StrategyLog.WarmedUp(logger, _accountId, _strategyId, history.Count, string.Join(", ", S.WarmUp.Symbols.Select(s => $"{s.Symbol} {s.Bars} from {s.Source}")));
    }

    /// <summary>
    /// A live bar the warm-up already fed (published between the subscription and the read of the history). The first
    /// newer bar ends the overlap: from then on every bar is live, even one that is older (a replay started again).
    /// </summary>
    private bool WarmedUpOn(Bar bar)
    {
        if (!_warmedUpTo.TryGetValue(bar.Symbol, out var end))
        {
            return false;
        }

        if (bar.End <= end)
        {
            return true;
        }

        _warmedUpTo.Remove(bar.Symbol);
        return false;
    }
}
