using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Brokers.Paper;

/// <summary>How the in-process paper venue behaves. Checked by <see cref="PaperExchangeOptionsValidator"/> at startup.</summary>
public sealed class PaperExchangeOptions
{
    public const string SectionName = "PaperExchange";

    /// <summary>Time from a submit until the venue acknowledges (accepts) the order; the order cannot fill before.</summary>
    public TimeSpan AckLatency { get; set; }

    /// <summary>Time from a match until its fill report reaches the account's report stream.</summary>
    public TimeSpan FillLatency { get; set; }

    /// <summary>Matching rules (slippage, displayed-size cap, participation, quantity increment).</summary>
    public FillModelOptions FillModel { get; set; } = FillModelOptions.Default;

    public PaperCalendarKind Calendar { get; set; } = PaperCalendarKind.Nyse;

    /// <summary>The instruments the venue lists. Symbols not listed here trade only when <see cref="AcceptUnlistedSymbols"/> is set.</summary>
    public IList<Instrument> Instruments { get; } = [];

    /// <summary>
    /// When true, a syntactically valid symbol that is not in <see cref="Instruments"/> trades as a standard whole-share
    /// US equity (tick 0.01, lot 1); when false it is rejected as unknown.
    /// </summary>
    public bool AcceptUnlistedSymbols { get; set; } = true;

    /// <summary>
    /// How long final orders and executions stay in the venue's memory (and its live snapshot); older ones move to the
    /// store's archive, where order lookups, idempotent submits and execution back-fills still find them. Memory per
    /// account follows this window times the order rate, so it is short: the archive, not memory, is the history.
    /// </summary>
    public TimeSpan Retention { get; set; } = DefaultRetention;

    /// <summary>
    /// One hour: a day's reconciliation and back-fill of a live account asks about the last minutes, which memory serves;
    /// older questions (after a restart, or a long disconnect) go to the archive. It was three days, which at ten orders a
    /// second kept millions of final orders (gigabytes) in memory.
    /// </summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the store's archive keeps final orders and executions: whole archive chunks whose newest order change and
    /// newest execution are older than this are deleted, oldest first, at an account's checkpoint (not in the first
    /// minutes after the venue started, so accounts back-fill after a long downtime first). Past it the venue answers an
    /// order lookup, an idempotent submit or an execution back-fill as if it had never seen the order; the account keeps
    /// its own records. At least <see cref="Retention"/>; a value of years keeps the archive for good.
    /// </summary>
    public TimeSpan FinalOrderRetention { get; set; } = DefaultFinalOrderRetention;

    /// <summary>
    /// Thirty days: a month of lookups by order and client order id; at ten orders a second the archive then holds about
    /// 13 GB of stored JSON per account instead of growing by 430 MB a day for good.
    /// </summary>
    public static readonly TimeSpan DefaultFinalOrderRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// Orders (working and final) one account keeps in memory. Past it, the oldest final orders and the executions up to
    /// them go to the archive at once, whatever their age, until half of this is left: <see cref="Retention"/> alone
    /// bounds memory by time, and at thousands of orders a second an hour is millions of orders (gigabytes) per account.
    /// </summary>
    public int MaxRetainedOrders { get; set; } = DefaultMaxRetainedOrders;

    /// <summary>Ten thousand: about 15 MB of orders per account, minutes of history even at ten orders a second.</summary>
    public const int DefaultMaxRetainedOrders = 10_000;

    /// <summary>
    /// Reports one stream subscriber may have unread. A subscriber that falls this far behind is disconnected with a
    /// <see cref="BrokerException"/> (Unavailable) and must back-fill through GetExecutionsSinceAsync: a fill is never
    /// dropped silently.
    /// </summary>
    public int MaxSubscriberBacklog { get; set; } = 10_000;
}
