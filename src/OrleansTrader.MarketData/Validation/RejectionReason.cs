namespace OrleansTrader.MarketData.Validation;

public enum RejectionReason
{
    /// <summary>Accepted.</summary>
    None = 0,
    NonPositivePrice,
    NonPositiveSize,
    OneSidedQuote,
    CrossedQuote,
    OutsidePriceBand,
    SuspiciousPrint,
    Duplicate,
    InvalidBar,
    TooManySymbols,
}
