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

    /// <summary>A price above <see cref="TickValidatorOptions.MaxPrice"/>: no real print, whatever the band would say.</summary>
    PriceAboveMaximum,

    /// <summary>A trade or quote size above <see cref="TickValidatorOptions.MaxSize"/>.</summary>
    SizeAboveMaximum,
}
