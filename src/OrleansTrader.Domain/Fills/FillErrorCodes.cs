namespace OrleansTrader.Domain.Fills;

/// <summary>Why an execution could not be applied. None of these is ever applied silently.</summary>
public static class FillErrorCodes
{
    public const string Overfill = "FILL_OVERFILL";
    public const string WrongOrder = "FILL_WRONG_ORDER";
    public const string SymbolMismatch = "FILL_SYMBOL_MISMATCH";
    public const string SideMismatch = "FILL_SIDE_MISMATCH";
    public const string QuantityNotPositive = "FILL_QUANTITY_NOT_POSITIVE";
    public const string PriceNotPositive = "FILL_PRICE_NOT_POSITIVE";
    public const string FeeNegative = "FILL_FEE_NEGATIVE";
    public const string ExecutionIdMissing = "FILL_EXECUTION_ID_MISSING";
}
