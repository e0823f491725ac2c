using System.Text.Json.Serialization;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Trades;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The account's core state, written on every change: the domain ledger, the working orders, the counters and
/// the history page being filled (<see cref="HistoryTail"/>). Full history pages (events, journal, fills) live in their own
/// write-once <see cref="AccountHistoryPage"/> records, so a write never re-serializes the whole history.
/// </summary>
internal sealed record AccountState
{
    public bool IsOpen { get; set; }

    public string? Name { get; set; }

    public string Currency { get; set; } = "USD";

    public string Broker { get; set; } = BrokerNames.Paper;

    /// <summary>Only in records of the older layout; the settings live in <see cref="AccountSettings"/> (moved at activation).</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<FeeModelSpec>))]
    public FeeModelSpec? FeeModel { get; set; }

    /// <summary>Only in records of the older layout, like <see cref="FeeModel"/>.</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<RiskLimits>))]
    public RiskLimits? RiskLimits { get; set; }

    /// <summary>Only in records of the older layout, like <see cref="FeeModel"/>.</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<BreakerPolicy>))]
    public BreakerPolicy? BreakerPolicy { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    [JsonConverter(typeof(NestedRecordJsonConverter<AccountLedger>))]
    public AccountLedger? Ledger { get; set; }

    public DateOnly? TradingDay { get; set; }

    /// <summary>Where the current trading day started (null in records from before days were kept: that day is not reported).</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<AccountDayStart>))]
    public AccountDayStart? DayStart { get; set; }

    public long LastOrderNumber { get; set; }

    public long LastEventSequence { get; set; }

    public long LastFillSequence { get; set; }

    public long LastJournalSequence { get; set; }

    /// <summary>The newest cash transfer applied; one stored in the "transfers" record past it was not (applied at activation).</summary>
    public long LastTransferSequence { get; set; }

    /// <summary>
    /// The version of the account's breaker its events last recorded (null in records from before it was kept): a newer
    /// version read at activation is recorded then, since the notice that woke the account found it reading that state.
    /// </summary>
    public long? AccountBreakerVersion { get; set; }

    /// <summary>The same as <see cref="AccountBreakerVersion"/>, for the global breaker.</summary>
    public long? GlobalBreakerVersion { get; set; }

    /// <summary>The round trips in progress and the count of closed ones (records from before trades were kept start those of the held positions at activation).</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<TradeState>))]
    public TradeState Trades { get; set; } = new();

    /// <summary>Orders that are not final yet, by the account's order id.</summary>
    [JsonConverter(typeof(WorkingOrdersJsonConverter))]
    public Dictionary<string, WorkingOrder> WorkingOrders { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Timestamp of the newest applied execution (the back-fill starting point of reconciliation).</summary>
    public DateTimeOffset? LastExecutionAt { get; set; }

    /// <summary>
    /// The newest execution time of the fills whose pages left the retention, and with them the index of applied execution
    /// ids: the back-fill starts after it, since an execution from before it cannot be told from a new one by its id.
    /// </summary>
    public DateTimeOffset? ExecutionsForgottenThrough { get; set; }

    /// <summary>
    /// The corrections of booked executions reconciliation has reported, each said once across activations (null when none,
    /// as in records from before they were kept, so an account without any writes nothing more). Replaced, never changed in
    /// place: the reconcile tick writes when the reference differs.
    /// </summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<IReadOnlyList<ReportedCorrection>>))]
    public IReadOnlyList<ReportedCorrection>? ReportedCorrections { get; set; }

    public long FirstHistoryPage { get; set; }

    /// <summary>The number the tail gets as a "history-N" record once it is full; pages before it are written.</summary>
    public long CurrentHistoryPage { get; set; }

    /// <summary>History entries not in a written page yet (records of the older layout have none: their tail is a "history-N" record).</summary>
    [JsonConverter(typeof(NestedRecordJsonConverter<AccountHistoryPage>))]
    public AccountHistoryPage HistoryTail { get; set; } = new();
}
