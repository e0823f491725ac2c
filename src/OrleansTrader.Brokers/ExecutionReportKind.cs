namespace OrleansTrader.Brokers;

/// <summary>What happened to an order, in the venue-neutral vocabulary every adapter maps into.</summary>
public enum ExecutionReportKind
{
    PendingNew,
    Accepted,
    PartialFill,
    Fill,
    PendingCancel,
    Canceled,
    CancelRejected,
    PendingReplace,
    Replaced,
    ReplaceRejected,
    Rejected,
    Expired,

    /// <summary>A status change that is none of the above (held, suspended, calculated, done for day).</summary>
    StatusChanged,
}
