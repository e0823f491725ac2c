namespace OrleansTrader.MarketData.Validation;

internal sealed class SymbolValidationState(int duplicateWindowSize)
{
    public PriceBand TradeBand { get; } = new();

    public PriceBand QuoteBand { get; } = new();

    public PriceBand BarBand { get; } = new();

    public DuplicateWindow Recent { get; } = new(duplicateWindowSize);
}
