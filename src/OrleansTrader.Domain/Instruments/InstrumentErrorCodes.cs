namespace OrleansTrader.Domain.Instruments;

public static class InstrumentErrorCodes
{
    public const string SymbolInvalid = "SYMBOL_INVALID";
    public const string TickSizeInvalid = "TICK_SIZE_INVALID";
    public const string LotSizeInvalid = "LOT_SIZE_INVALID";
    public const string QuantityBoundsInvalid = "QUANTITY_BOUNDS_INVALID";
    public const string DuplicateSymbol = "DUPLICATE_SYMBOL";
    public const string MaxPriceInvalid = "MAX_PRICE_INVALID";
}
