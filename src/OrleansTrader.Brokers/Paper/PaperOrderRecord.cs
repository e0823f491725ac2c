using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// One order as the paper venue keeps it: the domain order, its matching state between evaluations (stop trigger,
/// trailing water mark) while it can still match, whether it is a held bracket/OCO/OTO child, and its arrival sequence
/// (time priority).
/// </summary>
public sealed record PaperOrderRecord
{
    public required Order Order { get; init; }

    /// <summary>
    /// The fill model's state of the order; null once the order is final, since it never matches again (a final order
    /// stays in memory for the retention window, and this was the largest object it held).
    /// </summary>
    public SimulatedOrder? Matching { get; init; }

    /// <summary>A child held until its entry fills: it neither works nor matches yet.</summary>
    public bool Held { get; init; }

    public string? GroupId { get; init; }

    public required long Sequence { get; init; }

    /// <summary>
    /// The account's fee schedule when the order was added, unless it is the default; fills are priced with it, so an order
    /// restored after a restart pays what it would have paid before, also before its account configures the venue again.
    /// Null: the default schedule (also for a record stored before orders kept theirs), whatever the account configures later.
    /// </summary>
    public FeeModelSpec? FeeModel { get; init; }
}
