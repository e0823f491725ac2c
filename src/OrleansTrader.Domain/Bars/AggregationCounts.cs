namespace OrleansTrader.Domain.Bars;

/// <summary>How many trades an aggregator saw, by disposition. Nothing is dropped without being counted here.</summary>
public sealed record AggregationCounts
{
    public long Accepted { get; init; }

    public long Late { get; init; }

    public long SourceFlagged { get; init; }

    public long NonPositivePrice { get; init; }

    public long NonPositiveSize { get; init; }

    public long PriceDeviation { get; init; }

    public long SymbolMismatch { get; init; }

    /// <summary>Excluded as suspicious, all reasons together.</summary>
    public long Suspicious => SourceFlagged + NonPositivePrice + NonPositiveSize + PriceDeviation;

    public long Total => Accepted + Late + Suspicious + SymbolMismatch;

    public long Get(TradeDisposition disposition) => disposition switch
    {
        TradeDisposition.Accepted => Accepted,
        TradeDisposition.Late => Late,
        TradeDisposition.SourceFlagged => SourceFlagged,
        TradeDisposition.NonPositivePrice => NonPositivePrice,
        TradeDisposition.NonPositiveSize => NonPositiveSize,
        TradeDisposition.PriceDeviation => PriceDeviation,
        TradeDisposition.SymbolMismatch => SymbolMismatch,
        _ => throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "Unknown trade disposition."),
    };
}
