namespace OrleansTrader.MarketData.Validation;

/// <summary>
/// Identity of a tick for duplicate detection. With a source id (venue trade id, replay row) the id decides;
/// without one the content does.
/// </summary>
/// <remarks>
/// Every tick is looked up, added and later evicted, so the hash is kept cheap: time, kind and the source id (or the
/// first price and size when there is none). Equality still compares every field.
/// </remarks>
internal readonly record struct DuplicateKey(
    TickKind Kind,
    long TimestampTicks,
    long? SourceId,
    decimal Price1,
    decimal Size1,
    decimal Price2,
    decimal Size2,
    string? Exchange)
{
    public bool Equals(DuplicateKey other) =>
        TimestampTicks == other.TimestampTicks
        && Kind == other.Kind
        && SourceId == other.SourceId
        && Price1 == other.Price1
        && Size1 == other.Size1
        && Price2 == other.Price2
        && Size2 == other.Size2
        && string.Equals(Exchange, other.Exchange, StringComparison.Ordinal);

    public override int GetHashCode() => SourceId is { } id
        ? HashCode.Combine(Kind, TimestampTicks, id)
        : HashCode.Combine(Kind, TimestampTicks, Price1, Size1);
}
