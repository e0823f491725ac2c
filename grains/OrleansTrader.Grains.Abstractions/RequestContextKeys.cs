namespace OrleansTrader.Grains.Abstractions;

/// <summary>RequestContext keys set by callers outside the cluster (the gateway) and readable in every grain call they cause.</summary>
public static class RequestContextKeys
{
    /// <summary>The HTTP request's correlation id (the X-Correlation-Id header), for logs on both sides.</summary>
    public const string CorrelationId = "CorrelationId";

    /// <summary>
    /// A <see cref="System.Threading.CancellationToken"/> cancelled when the HTTP client hangs up, on calls whose work then
    /// stops (a backtest sweep between its runs). The object itself travels, so only within the silo that set it; a call
    /// without it runs to its end.
    /// </summary>
    public const string RequestAborted = "RequestAborted";

    /// <summary>
    /// A <see cref="BacktestLease"/>: the place of a backtest or sweep in the gateway's bound, released by the backtest grain
    /// when the work ends (not when the call times out). As <see cref="RequestAborted"/>, only within the silo that set it.
    /// </summary>
    public const string BacktestLease = "BacktestLease";
}
