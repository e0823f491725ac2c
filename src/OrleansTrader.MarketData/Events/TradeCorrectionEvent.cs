namespace OrleansTrader.MarketData.Events;

/// <summary>The venue replaced an earlier print (Alpaca message type "c").</summary>
public sealed record TradeCorrectionEvent : MarketDataEvent
{
    public required string TradeSymbol { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Exchange { get; init; }

    public string? Tape { get; init; }

    public required long OriginalId { get; init; }

    public required decimal OriginalPrice { get; init; }

    public required decimal OriginalSize { get; init; }

    public string? OriginalConditions { get; init; }

    public required long CorrectedId { get; init; }

    public required decimal CorrectedPrice { get; init; }

    public required decimal CorrectedSize { get; init; }

    public string? CorrectedConditions { get; init; }

    public override string Symbol => TradeSymbol;

    public override DateTimeOffset AvailableAt => Timestamp;
}
