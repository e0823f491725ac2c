using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// The places for API requests being served at once (Gateway:LoadShedding), with a short queue in front of them. Without
/// a bound, a flood of requests queued in the thread pool and the grains' mailboxes: every client's latency climbed
/// towards the grain call timeout, and a cancel sent during it waited behind the flood.
/// </summary>
internal sealed class RequestSlots : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly int _places;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;

    public RequestSlots(IOptions<GatewayOptions> options, TimeProvider time, GatewayMetrics metrics)
        : this(options.Value.LoadShedding.MaxConcurrentRequests, options.Value.LoadShedding.QueueLimit, options.Value.LoadShedding.QueueTimeout, time)
    {
        metrics.ObserveRequestSlots(() => InFlight, () => Queued);
    }

    /// <summary><paramref name="places"/> at once, <paramref name="queueLimit"/> waiting up to <paramref name="queueTimeout"/>.</summary>
    internal RequestSlots(int places, int queueLimit, TimeSpan queueTimeout, TimeProvider time)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = places,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _places = places;
        _queueTimeout = queueTimeout;
        _time = time;
    }

    /// <summary>Requests holding a place now.</summary>
    public long InFlight => _places - (_limiter.GetStatistics()?.CurrentAvailablePermits ?? _places);

    /// <summary>Requests waiting for a place now.</summary>
    public long Queued => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>
    /// A place, released when the lease is disposed; or, with <c>Refusal</c> set, none: the queue was full
    /// (<c>queue_full</c>), or no place freed within the queue timeout (<c>queue_timeout</c>). A client that hangs up
    /// while queued gets none either, and no refusal.
    /// </summary>
    public async ValueTask<(RateLimitLease? Lease, string? Refusal)> AcquireAsync(CancellationToken aborted)
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return (lease, null);
        }

        lease.Dispose();
        using var timeout = new CancellationTokenSource(_queueTimeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
        try
        {
            lease = await _limiter.AcquireAsync(1, either.Token);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            return (null, aborted.IsCancellationRequested ? null : "queue_timeout");
        }

        if (lease.IsAcquired)
        {
            return (lease, null);
        }

        lease.Dispose();
        return (null, "queue_full");
    }

    public void Dispose() => _limiter.Dispose();
}
