namespace OrleansTrader.Domain.Market;

/// <summary>
/// One printed trade. <see cref="Suspicious"/> carries the source's own flag; validation decides what to do with it.
/// <see cref="SourceId"/> is the feed's id for the print (a venue trade id or a replay row number) when it has one:
/// real prints can share time, price, size and venue, so duplicates are recognised by this id where it exists.
/// </summary>
public sealed record TradeTick(
    string Symbol,
    DateTimeOffset Timestamp,
    decimal Price,
    decimal Size,
    string? Exchange = null,
    string? Condition = null,
    bool Suspicious = false,
    long? SourceId = null);
