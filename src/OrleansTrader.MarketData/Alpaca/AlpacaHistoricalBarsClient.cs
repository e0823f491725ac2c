using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Alpaca;
using OrleansTrader.Domain.Market;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>
/// Historical bars from Alpaca's data REST API (<c>GET /v2/stocks/{symbol}/bars</c>), following
/// <c>next_page_token</c> to the end. Every request passes a client-side rate limiter and a resilience pipeline:
/// per-attempt timeout, retries with jitter (honouring Retry-After on 429) for these idempotent GETs, and a
/// circuit breaker that fails fast while the API is down.
/// </summary>
public sealed class AlpacaHistoricalBarsClient : IDisposable
{
    /// <summary>The named <see cref="HttpClient"/> this client uses.</summary>
    public const string HttpClientName = "OrleansTrader.Alpaca.Data";

    private const int MaxErrorBodyChars = 300;

    /// <summary>How old SIP data must be for a plan without real-time SIP (Alpaca's delayed SIP is 15 minutes late).</summary>
    private static readonly TimeSpan DelayedSipLag = TimeSpan.FromMinutes(15);

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AlpacaMarketDataOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline _attemptTimeout;
    private readonly TokenBucketRateLimiter _rateLimiter;

    public AlpacaHistoricalBarsClient(
        IHttpClientFactory httpClientFactory,
        IOptions<AlpacaMarketDataOptions> options,
        TimeProvider timeProvider,
        ILogger<AlpacaHistoricalBarsClient> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var failures = AlpacaMarketDataOptionsValidator.Collect(options.Value);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _pipeline = BuildPipeline();
        _attemptTimeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddTimeout(_options.RequestTimeout).Build();
        _rateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One token per slot and no burst: never more than RequestsPerMinute in any minute.
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / _options.RequestsPerMinute,
            AutoReplenishment = true,
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>All bars of <paramref name="symbol"/> in [start, end], page by page, oldest first.</summary>
    public async IAsyncEnumerable<Bar> GetBarsAsync(
        string symbol,
        DateTimeOffset start,
        DateTimeOffset end,
        TimeSpan? interval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        var barInterval = interval ?? TimeSpan.FromMinutes(1);
        var timeframe = Timeframe(barInterval);
        if (_options.Feed == "delayed_sip")
        {
            // Without real-time SIP, Alpaca refuses (403) a request for SIP data of the last 15 minutes: the window ends
            // before them, and a window entirely within them has no bars this plan may see.
            var latest = _timeProvider.GetUtcNow() - DelayedSipLag;
            if (end > latest)
            {
                end = latest;
            }

            if (end <= start)
            {
                yield break;
            }
        }

        string? pageToken = null;
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var uri = BuildUri(symbol, start, end, timeframe, pageToken);
            var page = await GetPageAsync(symbol, uri, barInterval, cancellationToken);
            foreach (var bar in page.Bars)
            {
                yield return bar;
            }

            pageToken = page.NextPageToken;
            if (pageToken is not null && !seenTokens.Add(pageToken))
            {
                throw new AlpacaDataException($"Alpaca returned the page token '{pageToken}' twice for {symbol}; stopping instead of looping.");
            }
        }
        while (pageToken is not null);
    }

    public async Task<IReadOnlyList<Bar>> GetAllBarsAsync(
        string symbol, DateTimeOffset start, DateTimeOffset end, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        var bars = new List<Bar>();
        await foreach (var bar in GetBarsAsync(symbol, start, end, interval, cancellationToken))
        {
            bars.Add(bar);
        }

        return bars;
    }

    public void Dispose() => _rateLimiter.Dispose();

    /// <summary>
    /// Alpaca's spelling of a bar interval. It documents timeframes up to 59Min, 23Hour, 1Day and 1Week (months have no
    /// fixed length): any other interval is refused here rather than sent to be refused by Alpaca.
    /// </summary>
    internal static string Timeframe(TimeSpan interval)
    {
        if (interval == TimeSpan.FromDays(7))
        {
            return "1Week";
        }

        if (interval == TimeSpan.FromDays(1))
        {
            return "1Day";
        }

        if (interval > TimeSpan.Zero && interval < TimeSpan.FromDays(1) && interval.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return $"{(long)interval.TotalHours}Hour";
        }

        if (interval > TimeSpan.Zero && interval < TimeSpan.FromHours(1) && interval.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return $"{(long)interval.TotalMinutes}Min";
        }

        throw new ArgumentOutOfRangeException(
            nameof(interval), interval, "Alpaca's bar timeframes are 1-59 minutes, 1-23 hours, 1 day or 1 week.");
    }

    private Uri BuildUri(string symbol, DateTimeOffset start, DateTimeOffset end, string timeframe, string? pageToken)
    {
        var query = new StringBuilder()
            .Append("timeframe=").Append(timeframe)
            .Append("&start=").Append(Uri.EscapeDataString(Rfc3339(start)))
            .Append("&end=").Append(Uri.EscapeDataString(Rfc3339(end)))
            .Append("&limit=").Append(_options.PageLimit.ToString(CultureInfo.InvariantCulture))
            .Append("&adjustment=raw");
        if (_options.Feed != "test")
        {
            query.Append("&feed=").Append(HistoricalFeed(_options.Feed));
        }

        if (pageToken is not null)
        {
            query.Append("&page_token=").Append(Uri.EscapeDataString(pageToken));
        }

        var root = _options.DataBaseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri($"{root}/v2/stocks/{Uri.EscapeDataString(symbol.Trim().ToUpperInvariant())}/bars?{query}");
    }

    /// <summary>
    /// The bars endpoint documents the feeds iex, sip, boats and otc: delayed_sip (the stream's, and the latest
    /// endpoints') is SIP data, which history has as <c>sip</c> (a plan without real-time SIP gets it 15 minutes old).
    /// </summary>
    private static string HistoricalFeed(string feed) => feed == "delayed_sip" ? "sip" : feed;

    private static string Rfc3339(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private async Task<AlpacaBarsPage> GetPageAsync(string symbol, Uri uri, TimeSpan interval, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                context.Properties.Set(SymbolKey, symbol);
                response = await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.Client.SendOnceAsync(state.Uri, ctx.CancellationToken),
                    context,
                    (Client: this, Uri: uri));
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (BrokenCircuitException ex)
        {
            throw new AlpacaDataException(
                $"Alpaca data API circuit is open after repeated failures; no request was sent for {symbol}. " +
                $"It is tried again after {ex.RetryAfter ?? _options.BreakerBreakDuration}.",
                statusCode: null,
                circuitOpen: true,
                ex);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException)
        {
            throw new AlpacaDataException($"Alpaca bars request for {symbol} failed after retries: {ex.Message}", null, false, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxErrorBodyChars));
                throw new AlpacaDataException(
                    $"Alpaca bars request for {symbol} failed with {(int)response.StatusCode} {response.StatusCode}: {text}",
                    (int)response.StatusCode);
            }

            try
            {
                return AlpacaBarsPage.Parse(body, symbol.Trim().ToUpperInvariant(), interval);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new AlpacaDataException($"Alpaca bars response for {symbol} could not be read: {ex.Message}", null, false, ex);
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Uri uri, CancellationToken cancellationToken)
    {
        // The wait for a rate-limit token is not part of the attempt: only the request itself has RequestTimeout.
        using var lease = await _rateLimiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new AlpacaDataException("The client-side rate limiter queue for Alpaca data requests is full.");
        }

        return await _attemptTimeout.ExecuteAsync(static async (state, token) => await state.Client.SendRequestAsync(state.Uri, token), (Client: this, Uri: uri), cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRequestAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add("APCA-API-KEY-ID", _options.KeyId);
        request.Headers.Add("APCA-API-SECRET-KEY", _options.SecretKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var client = _httpClientFactory.CreateClient(HttpClientName);
        return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static readonly ResiliencePropertyKey<string> SymbolKey = new("alpaca.symbol");

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var shouldHandle = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => IsTransient(r.StatusCode));

        // A 429 (and a 408) is retried after its wait but is not the venue failing: counted by the breaker, a burst of them
        // opened the circuit and stopped every bars request for its break time, as the trading client's breaker does not.
        var breakerShouldHandle = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider };
        if (_options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = shouldHandle,
                MaxRetryAttempts = _options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.MaxRetryAfter,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, args.AttemptNumber)),
                OnRetry = args =>
                {
                    MarketDataLog.AlpacaBarsRetry(
                        _logger,
                        args.Context.Properties.GetValue(SymbolKey, "?"),
                        args.Outcome.Result is { } r ? (int)r.StatusCode : 0,
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = breakerShouldHandle,
            FailureRatio = _options.BreakerFailureRatio,
            MinimumThroughput = _options.BreakerMinimumThroughput,
            SamplingDuration = _options.BreakerSamplingDuration,
            BreakDuration = _options.BreakerBreakDuration,
            OnOpened = args =>
            {
                MarketDataLog.AlpacaCircuitOpened(_logger, args.BreakDuration);
                return default;
            },
            OnClosed = _ =>
            {
                MarketDataLog.AlpacaCircuitClosed(_logger);
                return default;
            },
        });
        return builder.Build();
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    private TimeSpan? RetryAfter(HttpResponseMessage? response, int attemptNumber)
    {
        if (response is null || AlpacaRetryAfter.Read(response, _timeProvider) is not { } advised)
        {
            return null;
        }

        // A server asking for longer than we are prepared to wait gets the longest wait we allow.
        var delay = AlpacaRetryAfter.WaitOrBackoff(advised, _options.RetryBaseDelay, attemptNumber);
        return delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;
    }
}
