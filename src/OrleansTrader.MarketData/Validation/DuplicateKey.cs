namespace OrleansTrader.MarketData.Validation;

/// <summary>
/// Identity of a tick for duplicate detection. With a source id (venue trade id, replay row) the id decides;
/// without one the content does.
/// </summary>
internal readonly record struct DuplicateKey(
    TickKind Kind,
    long TimestampTicks,
    long? SourceId,
    decimal Price1,
    decimal Size1,
    decimal Price2,
    decimal Size2,
    string? Exchange);
