namespace OrleansTrader.MarketData.Csv;

/// <summary>One file to replay: its path (plain or <c>.gz</c>), the symbol it holds and its format.</summary>
public sealed record CsvSource(string Path, string Symbol, CsvFileKind Kind);
