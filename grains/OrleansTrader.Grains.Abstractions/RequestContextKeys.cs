namespace OrleansTrader.Grains.Abstractions;

/// <summary>RequestContext keys set by callers outside the cluster (the gateway) and readable in every grain call they cause.</summary>
public static class RequestContextKeys
{
    /// <summary>The HTTP request's correlation id (the X-Correlation-Id header), for logs on both sides.</summary>
    public const string CorrelationId = "CorrelationId";
}
