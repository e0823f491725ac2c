using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData.Events;

/// <summary>A top-of-book quote. <paramref name="SourceId"/> is a replay row number when known.</summary>
public sealed record QuoteEvent(QuoteTick Quote, long? SourceId = null, string? Tape = null) : MarketDataEvent
{
    public override string Symbol => Quote.Symbol;

    public override DateTimeOffset AvailableAt => Quote.Timestamp;

    /// <summary>The quote carrying this event's source id, so validation downstream (a SymbolGrain) can de-duplicate by it.</summary>
    public QuoteTick ToTick() => SourceId is { } id && Quote.SourceId is null ? Quote with { SourceId = id } : Quote;
}
