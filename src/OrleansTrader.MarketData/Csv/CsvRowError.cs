using OrleansTrader.MarketData.Health;

namespace OrleansTrader.MarketData.Csv;

/// <summary>A row that could not be parsed: where it is and why.</summary>
public sealed record CsvRowError(string File, long Line, MalformedReason Reason, string Detail);
