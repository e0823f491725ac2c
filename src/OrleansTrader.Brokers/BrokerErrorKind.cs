namespace OrleansTrader.Brokers;

public enum BrokerErrorKind
{
    /// <summary>The venue refused the request; nothing changed there.</summary>
    Rejected,

    /// <summary>The order or symbol does not exist at the venue.</summary>
    NotFound,

    /// <summary>
    /// The request was not delivered (circuit open, connection refused, a read it needed first failed), or it was a read:
    /// nothing changed at the venue. A write the venue may have received (a 5xx, a timeout) is <see cref="OutcomeUnknown"/>.
    /// </summary>
    Unavailable,

    /// <summary>The venue throttled us; nothing changed there. Retry after the advised delay.</summary>
    RateLimited,

    /// <summary>The request may or may not have taken effect (timeout, connection reset mid-request).</summary>
    OutcomeUnknown,
}
