namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// What the attempts of one retried write (an order's cancel) did. Its last attempt's failure alone does not say whether
/// the venue acted: a circuit open, a refused connection or a 429 on a retry says nothing of the attempt before it.
/// </summary>
internal sealed class AlpacaAttempts
{
    /// <summary>How many attempts got a permit and went out.</summary>
    public int Count { get; set; }

    /// <summary>True once an attempt ended without proof that Alpaca left it alone: a timeout, a connection cut after sending, a 5xx.</summary>
    public bool MayHaveActed { get; set; }
}
