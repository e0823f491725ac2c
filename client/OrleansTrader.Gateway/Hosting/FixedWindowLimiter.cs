using System.Threading.RateLimiting;

namespace OrleansTrader.Gateway;

/// <summary>
/// One partition's fixed windows on the host's <see cref="TimeProvider"/>: at most <c>permits</c> per <c>window</c>, the windows
/// following on from the partition's first request, no queue. A refusal's RetryAfter is the rest of the window that refused
/// it, so a client that waits that long is let in and one that waits less is not. (The framework's FixedWindowRateLimiter
/// answers a whole window whatever is left of it, holding clients back for up to a window longer than the limit does, and
/// runs on a timer of its own rather than the host's clock.)
/// </summary>
internal sealed class FixedWindowLimiter(int permits, TimeSpan window, TimeProvider time) : RateLimiter
{
    private static readonly Lease Acquired = new(null);

    private readonly Lock _lock = new();
    private readonly long _origin = time.GetTimestamp();
    private long _window;
    private int _taken;
    private long _lastUsed = time.GetTimestamp();
    private long _succeeded;
    private long _failed;

    /// <summary>
    /// How long nothing was asked of this partition, once its window holds no permits taken: only then may the partitioned
    /// limiter forget it (after 10 s), since a new one in its place starts with the same permits.
    /// </summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return CurrentWindow(out _) != _window || _taken == 0 ? time.GetElapsedTime(_lastUsed) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = CurrentWindow(out _) != _window ? permits : permits - _taken,
                CurrentQueuedCount = 0,
                TotalFailedLeases = _failed,
                TotalSuccessfulLeases = _succeeded,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, permits);
        lock (_lock)
        {
            var current = CurrentWindow(out var rest);
            if (current != _window)
            {
                _window = current;
                _taken = 0;
            }

            _lastUsed = time.GetTimestamp();

            // Zero permits asks whether any are left.
            if (permitCount == 0 ? _taken < permits : _taken + permitCount <= permits)
            {
                _taken += permitCount;
                _succeeded++;
                return Acquired;
            }

            _failed++;
            return new Lease(rest);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>The number of the window now (0 from the first request), and <paramref name="rest"/>, the time left in it.</summary>
    private long CurrentWindow(out TimeSpan rest)
    {
        var elapsed = time.GetElapsedTime(_origin).Ticks;
        rest = TimeSpan.FromTicks(window.Ticks - (elapsed % window.Ticks));
        return elapsed / window.Ticks;
    }

    /// <summary>Acquired when <paramref name="retryAfter"/> is null; refused, saying when to try again, otherwise.</summary>
    private sealed class Lease(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => retryAfter is null;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = after;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
