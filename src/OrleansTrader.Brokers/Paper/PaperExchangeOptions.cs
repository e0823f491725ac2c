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

    /// <summary>How long final orders and executions stay in memory; older ones move to the store's archive.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Reports one stream subscriber may have unread. A subscriber that falls this far behind is disconnected with a
    /// <see cref="BrokerException"/> (Unavailable) and must back-fill through GetExecutionsSinceAsync: a fill is never
    /// dropped silently.
    /// </summary>
    public int MaxSubscriberBacklog { get; set; } = 10_000;
}
