namespace OrleansTrader.Domain.Market;

/// <summary>One printed trade. <see cref="Suspicious"/> carries the source's own flag; validation decides what to do with it.</summary>
public sealed record TradeTick(
    string Symbol,
    DateTimeOffset Timestamp,
    decimal Price,
    decimal Size,
    string? Exchange = null,
    string? Condition = null,
    bool Suspicious = false);
