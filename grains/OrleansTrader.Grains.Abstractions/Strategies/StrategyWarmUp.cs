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

    public required IReadOnlyList<SymbolWarmUp> Symbols { get; init; }

    /// <summary>Orders the strategy tried to place while warming up: refused (Denied), never sent.</summary>
    public required long IntentsRefused { get; init; }
}

/// <summary>One symbol's warm-up bars and where they came from.</summary>
public sealed record SymbolWarmUp
{
    public required string Symbol { get; init; }

    public required int Bars { get; init; }

    /// <summary>"alpaca" (the vendor's history of the feed), "silo" (the bars the symbol grain holds) or "none".</summary>
    public required string Source { get; init; }

    public DateTimeOffset? FirstBarStart { get; init; }

    public DateTimeOffset? LastBarEnd { get; init; }

    /// <summary>Why a source was passed over (it failed or timed out), when one was.</summary>
    public string? Problem { get; init; }
}
