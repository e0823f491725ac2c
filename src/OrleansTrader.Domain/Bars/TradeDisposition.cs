namespace OrleansTrader.Domain.Bars;

/// <summary>What an aggregator did with one trade. Everything but <see cref="Accepted"/> is excluded and counted.</summary>
public enum TradeDisposition
{
    Accepted,

    /// <summary>The trade belongs before a bar already emitted (or before the open bar); closed bars never change.</summary>
    Late,

    /// <summary>The source flagged the print as suspicious.</summary>
    SourceFlagged,

    NonPositivePrice,

    NonPositiveSize,

    /// <summary>The price deviates from the reference price by more than the configured percentage.</summary>
    PriceDeviation,

    /// <summary>The trade is for another symbol than the aggregator's.</summary>
    SymbolMismatch,
}
