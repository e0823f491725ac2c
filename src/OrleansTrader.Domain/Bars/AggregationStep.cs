using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>The outcome of feeding one trade: its disposition and the bars it completed, oldest first.</summary>
public sealed record AggregationStep(TradeDisposition Disposition, IReadOnlyList<Bar> Completed)
{
    internal static AggregationStep Excluded(TradeDisposition disposition) => new(disposition, []);
}
