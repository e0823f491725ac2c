namespace OrleansTrader.Domain.Statistics;

/// <summary>Account equity (cash plus positions at market) at one instant.</summary>
public sealed record EquityPoint(DateTimeOffset Timestamp, decimal Equity);
