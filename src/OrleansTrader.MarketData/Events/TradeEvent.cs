using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData.Events;

/// <summary>A trade print. <paramref name="SourceId"/> is the venue's trade id (or a replay row number) when known.</summary>
public sealed record TradeEvent(TradeTick Trade, long? SourceId = null, string? Tape = null) : MarketDataEvent
{
    public override string Symbol => Trade.Symbol;

    public override DateTimeOffset AvailableAt => Trade.Timestamp;

    /// <summary>The trade carrying this event's source id, so validation downstream (a SymbolGrain) can de-duplicate by it.</summary>
    public TradeTick ToTick() => SourceId is { } id && Trade.SourceId is null ? Trade with { SourceId = id } : Trade;
}
