namespace OrleansTrader.Domain.Bars;

/// <summary>
/// An aggregator's running counts by disposition. Counting happens once per trade, so it is a plain increment; the
/// immutable <see cref="AggregationCounts"/> is built only when someone asks for it.
/// </summary>
internal sealed class AggregationTally
{
    private readonly long[] _counts = new long[Enum.GetValues<TradeDisposition>().Length];

    public void Add(TradeDisposition disposition) => _counts[(int)disposition]++;

    public AggregationCounts ToCounts() => new()
    {
        Accepted = _counts[(int)TradeDisposition.Accepted],
        Late = _counts[(int)TradeDisposition.Late],
        SourceFlagged = _counts[(int)TradeDisposition.SourceFlagged],
        NonPositivePrice = _counts[(int)TradeDisposition.NonPositivePrice],
        NonPositiveSize = _counts[(int)TradeDisposition.NonPositiveSize],
        PriceDeviation = _counts[(int)TradeDisposition.PriceDeviation],
        SymbolMismatch = _counts[(int)TradeDisposition.SymbolMismatch],
    };
}
