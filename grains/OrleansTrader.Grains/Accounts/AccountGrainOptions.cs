namespace OrleansTrader.Grains.Accounts;

/// <summary>Account grain tuning (section "Trading:Accounts").</summary>
public sealed class AccountGrainOptions
{
    public const string SectionName = "Trading:Accounts";

    /// <summary>
    /// Entries (events + journal + fills) per history page; a market order makes about eight. A full page is written once; the
    /// page being filled travels in every core write, so a large page makes those writes larger.
    /// </summary>
    public int HistoryPageSize { get; set; } = 8;

    /// <summary>History pages kept; older pages are deleted. Events, journal entries and fills older than that are gone
    /// (an SSE client resuming from before it gets a truncated page and reloads).</summary>
    public int HistoryPages { get; set; } = 1280;

    /// <summary>
    /// History pages whose entries the grain keeps in memory (the newest); older retained pages are read from storage when
    /// a query reaches back that far. Keeps an account's memory bounded by this, not by <see cref="HistoryPages"/>. Eight
    /// pages (about the last eight orders) serve the strategy's catch-up and an event stream's resume; the entries of more
    /// pages live just long enough under load for the collector to copy them (32 pages: about a quarter more bytes
    /// promoted per order, docs/benchmarks-history.md).
    /// </summary>
    public int HistoryPagesInMemory { get; set; } = 8;

    /// <summary>Closed trading days kept for the performance query (five years of trading dates); older days are dropped.</summary>
    public int DaysKept { get; set; } = 1830;

    /// <summary>Pages of 100 closed trades kept for the trades query (the newest 10,000 trades); older pages are dropped.</summary>
    public int TradePagesKept { get; set; } = 100;

    /// <summary>How often the account reconciles with its broker (also at activation).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its submit an in-flight order the broker does not show is still given to appear (a venue can take a
    /// timed-out request late); after that reconciliation rejects it and releases its reservation.
    /// </summary>
    public TimeSpan InFlightGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often marks are refreshed and breaker signals and broker outcomes are flushed.</summary>
    public TimeSpan SignalInterval { get; set; } = TimeSpan.FromSeconds(1);
}
