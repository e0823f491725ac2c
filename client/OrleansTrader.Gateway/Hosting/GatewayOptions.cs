namespace OrleansTrader.Gateway;

/// <summary>The "Gateway" configuration section.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// The first admin key (env Gateway__BootstrapAdminKey). When unset and no admin key exists yet, one is generated and
    /// printed once at startup. Setting it on a later start adds it as a further admin key.
    /// </summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>Largest accepted request body, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Whether accounts may be opened with broker "alpaca" (the silo sets this when it has Alpaca credentials).</summary>
    public bool AllowAlpacaAccounts { get; set; }

    /// <summary>How long a looked-up key stays cached; a revoke through this gateway takes effect at once, one through another
    /// gateway within this time.</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    public GatewayRateLimitOptions RateLimits { get; set; } = new();

    public GatewayMetricsOptions Metrics { get; set; } = new();

    public GatewayEventStreamOptions Events { get; set; } = new();

    public GatewayBacktestOptions Backtests { get; set; } = new();

    public GatewayLoadSheddingOptions LoadShedding { get; set; } = new();
}
