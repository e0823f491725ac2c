namespace OrleansTrader.Grains.Webhooks;

/// <summary>Webhook delivery tuning (section "Trading:Webhooks").</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Trading:Webhooks";

    /// <summary>How long a receiver has to answer one request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events per request at most; a backlog goes in several requests, in order.</summary>
    public int MaxEventsPerRequest { get; set; } = 100;

    /// <summary>The wait after the first failure; it doubles with each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest Retry-After a receiver's 429 or 503 may ask for; longer asks wait this long.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A webhook failing without a success for this long is disabled until resumed.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether webhooks may reach loopback, private, link-local, carrier-grade NAT, unspecified, multicast and broadcast
    /// addresses (<see cref="WebhookAddressPolicy"/>). Off by default, also in the embedded default: a webhook is a request
    /// the silo makes to a URL an API caller chose, and where the silo runs those addresses reach the instance metadata and
    /// managed identity endpoint (169.254.169.254), the silo's own ports and internal services.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
