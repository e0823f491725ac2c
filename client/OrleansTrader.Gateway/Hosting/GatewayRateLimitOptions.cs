namespace OrleansTrader.Gateway;

/// <summary>Fixed-window request limits: per API key, per client IP for requests without a valid key, and for order placement.</summary>
public sealed class GatewayRateLimitOptions
{
    public int PermitsPerWindow { get; set; } = 600;

    public int AnonymousPermitsPerWindow { get; set; } = 60;

    /// <summary>Order placements per key and window (stricter than the general limit).</summary>
    public int OrderPermitsPerWindow { get; set; } = 120;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
