using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>Ticks of one symbol, in the order the feed delivered them.</summary>
public sealed record TickBatch
{
    public IReadOnlyList<TradeTick> Trades { get; init; } = [];

    public IReadOnlyList<QuoteTick> Quotes { get; init; } = [];
}
