using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Alpaca;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// The pipelines around every Alpaca HTTP call: a client-side rate limiter under Alpaca's per-key limit, a timeout
/// per attempt, one circuit breaker per client, and (for idempotent calls only) jittered exponential retries that
/// honour Retry-After.
/// </summary>
internal sealed class AlpacaResilience : IDisposable, IAsyncDisposable
{
    private readonly SlidingWindowRateLimiter _limiter;
    private readonly AlpacaOptions _options;
    private readonly TimeProvider _timeProvider;

    public AlpacaResilience(AlpacaOptions options, string brokerName, IReadOnlyList<IBrokerHealthListener> listeners, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.MaxRequestsPerWindow,
            Window = options.RateLimitWindow,
            SegmentsPerWindow = 10,
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = !options.ManualRateLimiterReplenishment,
        });

        Timeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddTimeout(options.RequestTimeout)
            .Build();

        Guarded = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => (int)response.StatusCode >= 500),
                OnOpened = args =>
                {
                    AlpacaLog.CircuitOpened(logger, args.BreakDuration);
                    foreach (var listener in listeners)
                    {
                        listener.OnCircuitOpened(brokerName, args.BreakDuration);
                    }

                    return default;
                },
                OnClosed = _ =>
                {
                    AlpacaLog.CircuitClosed(logger);
                    foreach (var listener in listeners)
                    {
                        listener.OnCircuitClosed(brokerName);
                    }

                    return default;
                },
            })
            .Build();

        var retrying = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            retrying.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, args.AttemptNumber)),
                OnRetry = args =>
                {
                    AlpacaLog.Retrying(logger, args.RetryDelay, args.AttemptNumber + 1, (int?)args.Outcome.Result?.StatusCode ?? 0);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        Retrying = retrying.AddPipeline(Guarded).Build();
    }

    /// <summary>Circuit breaker only: for submits and replaces, which are never retried, and the look-ups that resolve them.</summary>
    public ResiliencePipeline<HttpResponseMessage> Guarded { get; }

    /// <summary>Retries around the circuit breaker: for reads and idempotent deletes.</summary>
    public ResiliencePipeline<HttpResponseMessage> Retrying { get; }

    /// <summary>Applied to each attempt separately, so a retry gets a full timeout of its own.</summary>
    public ResiliencePipeline Timeout { get; }

    /// <summary>
    /// Waits for a permit at most <paramref name="maxWait"/> (<see cref="PermitWait"/>): a submit or replace waits inside its
    /// account's turn, and the queue (10,000) at the default budget (180 a minute) is most of an hour. Past it the call fails
    /// RateLimited, unsent; a negative wait (no time left for the request) fails it without waiting.
    /// </summary>
    public async ValueTask AcquirePermitAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (maxWait < TimeSpan.Zero)
        {
            throw new BrokerException(BrokerErrorKind.RateLimited,
                $"No time is left of Alpaca:SubmitTimeout ({_options.SubmitTimeout}) for another request of up to {_options.RequestTimeout}; nothing was sent.");
        }

        RateLimitLease lease;
        if (maxWait == TimeSpan.Zero)
        {
            // No time to wait: only a permit free at once (and none ahead of this call in the queue).
            lease = _limiter.AttemptAcquire(1);
        }
        else
        {
            using var waitedTooLong = new CancellationTokenSource(maxWait, _timeProvider);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, waitedTooLong.Token);
            try
            {
                lease = await _limiter.AcquireAsync(1, waiting.Token);
            }
            catch (OperationCanceledException) when (waitedTooLong.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Told apart here: SendAsync takes a cancellation its caller did not ask for as a request cut off after it left.
                throw new BrokerException(BrokerErrorKind.RateLimited, NoPermitMessage(maxWait));
            }
        }

        using (lease)
        {
            if (!lease.IsAcquired)
            {
                throw new BrokerException(BrokerErrorKind.RateLimited, maxWait == TimeSpan.Zero
                    ? NoPermitMessage(maxWait)
                    : "The client-side Alpaca rate limiter queue is full; nothing was sent.");
            }
        }
    }

    /// <summary>
    /// How long a request may wait for its permit: <see cref="AlpacaOptions.RequestTimeout"/>, or, inside an order submit or
    /// replace started at <paramref name="orderCallStarted"/> (a timestamp of this client's clock), what leaves this request
    /// and the <paramref name="requestsAfter"/> that may follow it (the replace after a read, a look-up) a full RequestTimeout
    /// each within <see cref="AlpacaOptions.SubmitTimeout"/>. Negative when not even this request fits any more.
    /// </summary>
    public TimeSpan PermitWait(long? orderCallStarted, int requestsAfter)
    {
        if (orderCallStarted is not { } started)
        {
            return _options.RequestTimeout;
        }

        var left = _options.SubmitTimeout - _timeProvider.GetElapsedTime(started) - (_options.RequestTimeout * (requestsAfter + 1));
        return left < _options.RequestTimeout ? left : _options.RequestTimeout;
    }

    /// <summary>The timestamp an order submit's or replace's <see cref="AlpacaOptions.SubmitTimeout"/> counts from.</summary>
    public long StartOrderCall() => _timeProvider.GetTimestamp();

    private string NoPermitMessage(TimeSpan waited) =>
        $"No client-side Alpaca rate limit permit came within {waited} (Alpaca:MaxRequestsPerWindow {_options.MaxRequestsPerWindow} per {_options.RateLimitWindow}); nothing was sent.";

    internal RateLimiterStatistics? LimiterStatistics => _limiter.GetStatistics();

    /// <summary>Advances the limiter one segment when <see cref="AlpacaOptions.ManualRateLimiterReplenishment"/> is set.</summary>
    internal bool ReplenishLimiterSegment() => _limiter.TryReplenish();

    public void Dispose() => _limiter.Dispose();

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();

    /// <summary>How long a 429 asks us to wait (Retry-After or X-Ratelimit-Reset); null when neither is readable.</summary>
    internal TimeSpan? RetryAfterHeader(HttpResponseMessage response) => AlpacaRetryAfter.Read(response, _timeProvider);

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is HttpRequestException or TimeoutRejectedException)
        {
            return true;
        }

        if (outcome.Result is not { } response)
        {
            return false;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // A wait longer than we are prepared to block is handed back to the caller as RateLimited.
            return RetryAfterHeader(response) is not { } wait || wait <= _options.MaxRetryAfter;
        }

        // 408: the server gave up waiting for the request, so nothing was done and asking again is what it asks for.
        return response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage? response, int attemptNumber) =>
        response is { StatusCode: HttpStatusCode.TooManyRequests } && RetryAfterHeader(response) is { } wait
            ? AlpacaRetryAfter.WaitOrBackoff(wait, _options.RetryBaseDelay, attemptNumber)
            : null;
}
