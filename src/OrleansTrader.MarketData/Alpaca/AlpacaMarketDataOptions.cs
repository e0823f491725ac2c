namespace OrleansTrader.MarketData.Alpaca;

/// <summary>Alpaca market data: the real-time stream and historical bars. Keys come from environment or a vault, never from files in the repository.</summary>
public sealed class AlpacaMarketDataOptions
{
    public const string SectionName = "MarketData:Alpaca";

    public string KeyId { get; set; } = string.Empty;

    public string SecretKey { get; set; } = string.Empty;

    /// <summary><c>iex</c>, <c>sip</c>, <c>delayed_sip</c> or <c>test</c> (symbol FAKEPACA, available around the clock).</summary>
    public string Feed { get; set; } = "iex";

    /// <summary>Stream base; the feed name is appended (<c>{StreamBaseUrl}/{Feed}</c>).</summary>
    public Uri StreamBaseUrl { get; set; } = new("wss://stream.data.alpaca.markets/v2");

    public Uri DataBaseUrl { get; set; } = new("https://data.alpaca.markets");

    public IList<string> Symbols { get; } = [];

    public bool SubscribeTrades { get; set; } = true;

    public bool SubscribeQuotes { get; set; } = true;

    public bool SubscribeBars { get; set; } = true;

    /// <summary>Run trades, quotes and bars through the <see cref="Validation.TickValidator"/> and deliver only accepted ones.</summary>
    public bool Validate { get; set; } = true;

    /// <summary>Alpaca closes the connection when authentication has not completed within 10 seconds.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the client pings the server. A connection that answers no ping within <see cref="KeepAliveTimeout"/>
    /// is stalled (a half-open TCP connection delivers nothing and never closes) and is dropped and reconnected.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Events buffered between the socket and the consumer; when full the socket reader waits.</summary>
    public int ChannelCapacity { get; set; } = 10_000;

    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Client-side limit for REST calls, below Alpaca's 200 per minute on the basic plan.</summary>
    public int RequestsPerMinute { get; set; } = 190;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public int MaxRetryAttempts { get; set; } = 4;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before a retry: a longer Retry-After (or X-Ratelimit-Reset) is cut down to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(90);

    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 8;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bars per page requested from the REST API (Alpaca allows up to 10000).</summary>
    public int PageLimit { get; set; } = 10_000;
}
