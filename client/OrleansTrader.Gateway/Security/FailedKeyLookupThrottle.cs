using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Per client address, how many registry lookups for keys that then failed (unknown, revoked, wrong secret) it may cause per
/// <see cref="GatewayRateLimitOptions.Window"/>. Authentication runs before the rate limiter, so without this every new
/// junk key would reach the registry grain. Only failures count, so real clients (whose keys are cached) never notice;
/// requests already in flight when the budget runs out still finish their lookup. Idle addresses are dropped by the
/// partitioned limiter.
/// </summary>
internal sealed class FailedKeyLookupThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedKeyLookupThrottle(IOptions<GatewayOptions> options, TimeProvider time)
    {
        var limits = options.Value.RateLimits;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.Get(
            address, _ => new FixedWindowLimiter(limits.FailedKeyLookupsPerWindow, limits.Window, time)));
    }

    /// <summary>Whether <paramref name="address"/> may still look a key up; when not, how long until it may.</summary>
    public bool MayLookUp(string address, out TimeSpan? retryAfter)
    {
        // Zero permits only asks whether any are left.
        using var lease = _limiter.AttemptAcquire(address, 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
        return lease.IsAcquired;
    }

    /// <summary>A lookup from <paramref name="address"/> found no usable key.</summary>
    public void Failed(string address) => _limiter.AttemptAcquire(address).Dispose();

    public void Dispose() => _limiter.Dispose();
}
