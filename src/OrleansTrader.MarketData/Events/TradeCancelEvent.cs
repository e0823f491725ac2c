namespace OrleansTrader.MarketData.Events;

/// <summary>The venue cancelled or errored an earlier print (Alpaca message type "x").</summary>
public sealed record TradeCancelEvent : MarketDataEvent
{
    public required string TradeSymbol { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Exchange { get; init; }

    public string? Tape { get; init; }

    public required long TradeId { get; init; }

    public required decimal Price { get; init; }

    public required decimal Size { get; init; }

    /// <summary>Alpaca's action: "C" cancel, "E" error.</summary>
    public required string Action { get; init; }

    public override string Symbol => TradeSymbol;

    public override DateTimeOffset AvailableAt => Timestamp;
}
