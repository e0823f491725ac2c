using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Market data of one symbol, in the order the feed delivered it.</summary>
public sealed record TickBatch
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<TradeTick> Trades { get; init => field = value ?? []; } = [];

    public IReadOnlyList<QuoteTick> Quotes { get; init => field = value ?? []; } = [];

    /// <summary>Bars from a bar feed (replayed minute bars); validated and published as they are.</summary>
    public IReadOnlyList<Bar> Bars { get; init => field = value ?? []; } = [];

    /// <summary>Corrections and cancels of earlier prints, each placed among <see cref="Trades"/> where the feed delivered it.</summary>
    public IReadOnlyList<TradeAmendment> Amendments { get; init => field = value ?? []; } = [];

    /// <summary>
    /// A replay's batch: the feed's position just past its last event. The symbol grain remembers the highest it has taken
    /// in (<see cref="ISymbolGrain.GetReplayPositionAsync"/>), so the feed pump can tell whether a call that timed out was
    /// taken in all the same. Null for a live feed.
    /// </summary>
    public long? ReplayPosition { get; init; }
}
