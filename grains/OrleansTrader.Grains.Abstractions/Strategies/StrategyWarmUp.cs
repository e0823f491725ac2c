namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The history a strategy was primed with the last time it started without a snapshot (a new strategy, or new
/// parameters): the bars it was fed, per symbol, before live data. Orders it tried to place on them were refused.
/// </summary>
public sealed record StrategyWarmUp
{
    public required DateTimeOffset At { get; init; }

    /// <summary>The bars per symbol the strategy asked for (its <c>WarmUpBars</c>).</summary>
    public required int BarsWanted { get; init; }

    public required IReadOnlyList<SymbolBars> Symbols { get; init; }

    /// <summary>Orders the strategy tried to place while warming up: refused (Denied), never sent.</summary>
    public required long IntentsRefused { get; init; }
}
