namespace OrleansTrader.MarketData.Csv;

/// <summary>A file cannot be replayed at all (wrong or missing header, missing file).</summary>
public sealed class CsvFormatException : Exception
{
    public CsvFormatException()
    {
    }

    public CsvFormatException(string message)
        : base(message)
    {
    }

    public CsvFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? File { get; init; }
}
