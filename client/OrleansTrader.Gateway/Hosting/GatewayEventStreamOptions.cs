namespace OrleansTrader.Gateway;

/// <summary>Server-Sent Events settings of GET /api/accounts/{accountId}/events.</summary>
public sealed class GatewayEventStreamOptions
{
    /// <summary>A comment line is sent after this much silence so proxies keep the connection open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The account's event history is polled at least this often, in case a live notification was dropped.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Events read from the account per page (and the most a connection holds in memory at once).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Event streams one key may hold open at once; one more is refused with 429 until one closes.</summary>
    public int MaxStreamsPerKey { get; set; } = 20;

    /// <summary>
    /// A write the client has not taken within this long ends the stream: the connection is aborted, so a client that stopped
    /// reading frees its slot, its page and its connection, and resumes with Last-Event-ID once it reads again.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
