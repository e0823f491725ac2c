using OrleansTrader.Domain.Market;

namespace OrleansTrader.MarketData.Events;

/// <summary>A top-of-book quote. <paramref name="SourceId"/> is a replay row number when known.</summary>
public sealed record QuoteEvent(QuoteTick Quote, long? SourceId = null, string? Tape = null) : MarketDataEvent
{
    public override string Symbol => Quote.Symbol;

    public override DateTimeOffset AvailableAt => Quote.Timestamp;
}
