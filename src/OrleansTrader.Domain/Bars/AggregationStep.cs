using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Bars;

/// <summary>The outcome of feeding one trade: its disposition and the bars it completed, oldest first.</summary>
public sealed record AggregationStep(TradeDisposition Disposition, IReadOnlyList<Bar> Completed)
{
    // Most trades complete no bar: those outcomes are shared (immutable) instead of allocated per trade.
    private static readonly AggregationStep[] WithoutBars =
        [.. Enum.GetValues<TradeDisposition>().Select(d => new AggregationStep(d, []))];

    internal static AggregationStep Excluded(TradeDisposition disposition) => WithoutBars[(int)disposition];

    internal static AggregationStep AcceptedWithoutBars => WithoutBars[(int)TradeDisposition.Accepted];
}
