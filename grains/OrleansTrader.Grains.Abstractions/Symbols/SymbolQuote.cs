using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>The last trade and quote of a symbol and whether its data is stale (no tick within the staleness window).</summary>
public sealed record SymbolQuote
{
    public required string Symbol { get; init; }

    public TradeTick? LastTrade { get; init; }

    public QuoteTick? LastQuote { get; init; }

    /// <summary>When the grain received the newest tick (silo clock).</summary>
    public DateTimeOffset? LastReceivedAt { get; init; }

    public required bool IsStale { get; init; }

    public required DateTimeOffset AsOf { get; init; }
}
