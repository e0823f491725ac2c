namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// Configuration section "Alpaca". KeyId and SecretKey come only from the environment or a vault
/// (<c>Alpaca__KeyId</c>, <c>Alpaca__SecretKey</c>); they have no defaults. Live trading needs <c>Alpaca:Live=true</c>.
/// </summary>
public sealed class AlpacaOptions
{
    public const string SectionName = "Alpaca";

    public string KeyId { get; set; } = string.Empty;

    public string SecretKey { get; set; } = string.Empty;

    /// <summary>False (the default) trades on the paper host. Live money needs this set explicitly.</summary>
    public bool Live { get; set; }

    /// <summary>Overrides the REST host (tests point it at a local fake). Null picks paper or live by <see cref="Live"/>.</summary>
    public Uri? TradingBaseUrl { get; set; }

    /// <summary>Overrides the trade_updates websocket. Null picks paper or live by <see cref="Live"/>.</summary>
    public Uri? StreamUrl { get; set; }

    /// <summary>Alpaca allows 200 requests a minute per account; stay below it so other tools on the key keep headroom.</summary>
    public int MaxRequestsPerWindow { get; set; } = 180;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Timeout of one HTTP attempt; also the longest a call waits for a rate limit permit before failing RateLimited, unsent.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest an order submit or replace takes, its permit waits, a trailing stop's read before its replace and the
    /// look-ups of a lost or refused answer included: the account awaits it inside its turn, and past the 30 s grain call
    /// timeout its caller hears a timeout while the order may still go out. Its permit waits are cut short so that its request
    /// and one look-up each keep a full <see cref="RequestTimeout"/> within it; at least two of those. (Named for submits,
    /// which it bounded first; the key is kept for configurations that set it.)
    /// </summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Retries of idempotent requests (reads, cancels). Order submits and replaces are never retried.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A Retry-After longer than this is not waited out: the call fails RateLimited instead.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public double CircuitFailureRatio { get; set; } = 0.5;

    public int CircuitMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the stream waits for the authorization and listening acknowledgements.</summary>
    public TimeSpan StreamHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the trade_updates socket pings Alpaca. A connection that answers no ping within
    /// <see cref="StreamKeepAliveTimeout"/> is dropped and reconnected (with its catch-up): trade_updates is silent while
    /// no order changes, so a half-open connection (no data, no close) would otherwise pass for a healthy one.
    /// </summary>
    public TimeSpan StreamKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan StreamKeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Back-fill after a reconnect starts this much before the last fill seen, to cover clock skew.</summary>
    public TimeSpan BackfillOverlap { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many recent execution ids the stream remembers to drop duplicates between live fills and back-fill.</summary>
    public int ExecutionDeduplicationWindow { get; set; } = 10_000;

    /// <summary>Tests replenish the rate limiter by hand to count permits deterministically; never bound from configuration.</summary>
    internal bool ManualRateLimiterReplenishment { get; set; }

    internal Uri ResolveTradingBaseUrl() => TradingBaseUrl ?? (Live ? AlpacaEndpoints.LiveTrading : AlpacaEndpoints.PaperTrading);

    internal Uri ResolveStreamUrl() => StreamUrl ?? (Live ? AlpacaEndpoints.LiveStream : AlpacaEndpoints.PaperStream);
}
