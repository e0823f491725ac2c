namespace OrleansTrader.MarketData.Alpaca;

/// <summary>An Alpaca data REST call failed for good (after retries, or because the circuit is open).</summary>
public sealed class AlpacaDataException : Exception
{
    public AlpacaDataException()
    {
    }

    public AlpacaDataException(string message)
        : base(message)
    {
    }

    public AlpacaDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlpacaDataException(string message, int? statusCode, bool circuitOpen = false, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        CircuitOpen = circuitOpen;
    }

    public int? StatusCode { get; }

    public bool CircuitOpen { get; }
}
