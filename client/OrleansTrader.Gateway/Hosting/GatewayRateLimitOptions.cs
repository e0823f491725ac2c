namespace OrleansTrader.Gateway;

/// <summary>Fixed-window request limits: per API key, per client IP for requests without a valid key, for order placement, and
/// per client IP for failed key lookups.</summary>
public sealed class GatewayRateLimitOptions
{
    public int PermitsPerWindow { get; set; } = 600;

    public int AnonymousPermitsPerWindow { get; set; } = 60;

    /// <summary>Order placements per key and window (stricter than the general limit).</summary>
    public int OrderPermitsPerWindow { get; set; } = 120;

    /// <summary>
    /// Key lookups that found no usable key (unknown, revoked, wrong secret) per client IP and window; beyond it that address
    /// gets 429 for keys this gateway has not cached, without a registry lookup. Authentication runs before the limits above.
    /// </summary>
    public int FailedKeyLookupsPerWindow { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
