namespace OrleansTrader.Grains.Brokers;

/// <summary>The account names a broker this silo has not wired (for example "alpaca" without its adapter and keys).</summary>
public sealed class BrokerNotAvailableException : Exception
{
    public BrokerNotAvailableException()
    {
    }

    public BrokerNotAvailableException(string message) : base(message)
    {
    }

    public BrokerNotAvailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
