using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Market data of one symbol, in the order the feed delivered it.</summary>
public sealed record TickBatch
{
    public IReadOnlyList<TradeTick> Trades { get; init; } = [];

    public IReadOnlyList<QuoteTick> Quotes { get; init; } = [];

    /// <summary>Bars from a bar feed (replayed minute bars); validated and published as they are.</summary>
    public IReadOnlyList<Bar> Bars { get; init; } = [];
}
