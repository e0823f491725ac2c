namespace OrleansTrader.MarketData.Alpaca;

/// <summary>The Alpaca stream refused or ended the session (with Alpaca's error code when it sent one).</summary>
public sealed class AlpacaStreamException : Exception
{
    public AlpacaStreamException()
    {
    }

    public AlpacaStreamException(string message)
        : base(message)
    {
    }

    public AlpacaStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlpacaStreamException(int code, string message)
        : base($"Alpaca stream error {code}: {message} ({AlpacaStreamErrors.Describe(code)})")
    {
        Code = code;
    }

    public int? Code { get; }
}
