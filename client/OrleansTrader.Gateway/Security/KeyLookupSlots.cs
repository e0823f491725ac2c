using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Diagnostics;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// The places for registry lookups of keys not cached (Gateway:LoadShedding:MaxConcurrentKeyLookups), with a queue of
/// their own. The failed-lookup budget of an address counted lookups only once they had failed, so a burst of made-up keys
/// sent at once, to a route the load shedding lets by (a cancel, a health probe), reached the one registry grain in full
/// before any failure counted, and every real key's lookup waited behind them. (That budget now counts an address's
/// lookups in flight too, so one address holds at most its budget's worth of these places and their queue.)
/// </summary>
internal sealed class KeyLookupSlots(IOptions<GatewayOptions> options, TimeProvider time) : IDisposable
{
    private readonly RequestSlots _places = new(
        options.Value.LoadShedding.MaxConcurrentKeyLookups, options.Value.LoadShedding.QueueLimit, options.Value.LoadShedding.QueueTimeout, time);

    /// <summary>Lookups waiting for a place now.</summary>
    public long Queued => _places.Queued;

    /// <summary>As <see cref="RequestSlots.AcquireAsync"/>: a place, or none with the refusal.</summary>
    public ValueTask<(RateLimitLease? Lease, string? Refusal)> AcquireAsync(CancellationToken aborted) => _places.AcquireAsync(aborted);

    public void Dispose() => _places.Dispose();
}
