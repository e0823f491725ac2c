namespace OrleansTrader.Gateway;

/// <summary>
/// The "Gateway:LoadShedding" section: how many API requests the gateway serves at once, and how many wait for one of
/// those places and for how long, before further ones are refused with 503 at once. Health probes, /metrics, event
/// streams and the routes that reduce risk (cancels, closes, trips, the kill switch, a strategy's stop, a key's revoke) are
/// never held back by it.
/// </summary>
public sealed class GatewayLoadSheddingOptions
{
    /// <summary>Requests served at once, for all keys and addresses together.</summary>
    public int MaxConcurrentRequests { get; set; } = 128;

    /// <summary>Requests that wait, oldest first, for a place once <see cref="MaxConcurrentRequests"/> are being served.</summary>
    public int QueueLimit { get; set; } = 256;

    /// <summary>
    /// Registry lookups of keys this gateway has not cached, in flight at once, whatever the route: the exempt routes and
    /// health probes hold no place above, and a flood of made-up keys sent to them would otherwise queue grain calls
    /// without bound in the one registry grain, in front of every real key's lookup. More wait as requests do
    /// (<see cref="QueueLimit"/>, <see cref="QueueTimeout"/>), in a queue of their own.
    /// </summary>
    public int MaxConcurrentKeyLookups { get; set; } = 16;

    /// <summary>The longest a request waits in that queue before it is refused.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
