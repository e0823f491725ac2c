namespace OrleansTrader.Brokers;

/// <summary>A failed broker call; <see cref="Kind"/> says what the caller may safely do next.</summary>
public sealed class BrokerException : Exception
{
    public BrokerException()
    {
    }

    public BrokerException(string message) : base(message)
    {
    }

    public BrokerException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public BrokerException(BrokerErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public BrokerErrorKind Kind { get; } = BrokerErrorKind.Rejected;

    /// <summary>For <see cref="BrokerErrorKind.RateLimited"/>: how long the venue asked us to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
