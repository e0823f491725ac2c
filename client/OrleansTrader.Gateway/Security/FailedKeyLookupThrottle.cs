using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Per client address, how many registry lookups for keys that then failed (unknown, revoked, wrong secret) it may cause per
/// <see cref="GatewayRateLimitOptions.Window"/>. Authentication runs before the rate limiter, so without this every new
/// junk key would reach the registry grain. Lookups still in flight count against the budget until they end: counting
/// failures only once they had failed let one address's burst of made-up keys, sent at once, take every lookup place and
/// the whole lookup queue (<see cref="KeyLookupSlots"/>) before the first failure counted, and other clients' keys were
/// refused 503 meanwhile. A lookup that finds its key gives its share back, so real clients (whose keys are cached after
/// the first lookup) do not notice. Idle addresses are dropped by the partitioned limiter.
/// </summary>
internal sealed class FailedKeyLookupThrottle : IDisposable
{
    /// <summary>What a client refused while its own lookups run is told to wait: they answer within the grain call timeout, most at once.</summary>
    internal static readonly TimeSpan LookupsInFlightRetryAfter = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<string> _limiter;

    // Lookups running per address; an address leaves it when its last lookup ends. Guarded by _lock, with the budget
    // read, so that two lookups from one address cannot both take its last failure.
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public FailedKeyLookupThrottle(IOptions<GatewayOptions> options, TimeProvider time)
    {
        var limits = options.Value.RateLimits;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.Get(
            address, _ => new FixedWindowLimiter(limits.FailedKeyLookupsPerWindow, limits.Window, time)));
    }

    /// <summary>
    /// Whether <paramref name="address"/> may look a key up now: its failed lookups left in the window exceed its lookups in
    /// flight. When it may, the lookup counts as in flight until <see cref="EndLookup"/>; when not, how long until it may.
    /// </summary>
    public bool TryStartLookup(string address, out TimeSpan? retryAfter)
    {
        lock (_lock)
        {
            var left = _limiter.GetStatistics(address)?.CurrentAvailablePermits ?? 0;
            _inFlight.TryGetValue(address, out var running);
            if (running < left)
            {
                _inFlight[address] = running + 1;
                retryAfter = null;
                return true;
            }

            if (left > 0)
            {
                retryAfter = LookupsInFlightRetryAfter;
                return false;
            }

            // Zero permits only asks whether any are left; its refusal says when the window ends.
            using var lease = _limiter.AttemptAcquire(address, 0);
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
            return false;
        }
    }

    /// <summary>A lookup <see cref="TryStartLookup"/> let <paramref name="address"/> start has ended; <paramref name="failed"/> when it found no usable key.</summary>
    public void EndLookup(string address, bool failed)
    {
        lock (_lock)
        {
            if (failed)
            {
                _limiter.AttemptAcquire(address).Dispose();
            }

            if (_inFlight.TryGetValue(address, out var running) && running > 1)
            {
                _inFlight[address] = running - 1;
            }
            else
            {
                _inFlight.Remove(address);
            }
        }
    }

    public void Dispose() => _limiter.Dispose();
}
