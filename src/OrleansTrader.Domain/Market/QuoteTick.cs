namespace OrleansTrader.Domain.Market;

/// <summary>
/// Top of book. A zero price or size means that side is missing (one-sided quote). <see cref="SourceId"/> is the
/// feed's id for the quote (a replay row number) when it has one; duplicates are recognised by it where it exists.
/// </summary>
public sealed record QuoteTick(
    string Symbol,
    DateTimeOffset Timestamp,
    decimal BidPrice,
    decimal BidSize,
    decimal AskPrice,
    decimal AskSize,
    string? Exchange = null,
    string? Condition = null,
    bool Suspicious = false,
    long? SourceId = null)
{
    public bool IsTwoSided => BidPrice > 0m && AskPrice > 0m && BidSize > 0m && AskSize > 0m;

    public bool IsCrossed => IsTwoSided && BidPrice > AskPrice;

    /// <summary>Mid price, or null when the quote is not two-sided.</summary>
    public decimal? Mid => IsTwoSided ? (BidPrice + AskPrice) / 2m : null;
}
