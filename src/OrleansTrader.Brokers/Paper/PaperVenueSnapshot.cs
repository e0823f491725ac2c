using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The live state of one account at the paper venue, saved after every change and before any report of it leaves
/// the venue: working orders, final orders and executions inside the retention window, order groups and positions.
/// Plain records and lists, so any serializer the store uses can carry it.
/// </summary>
public sealed record PaperVenueSnapshot
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<PaperOrderRecord> Orders { get; init => field = value ?? []; } = [];

    public IReadOnlyList<OrderGroup> Groups { get; init => field = value ?? []; } = [];

    /// <summary>Executions inside the retention window, oldest first.</summary>
    public IReadOnlyList<Execution> Executions { get; init => field = value ?? []; } = [];

    public IReadOnlyList<Position> Positions { get; init => field = value ?? []; } = [];

    public long NextSequence { get; init; }

    /// <summary>Executions before this instant may be only in the archive; null when nothing was archived.</summary>
    public DateTimeOffset? ArchivedBefore { get; init; }
}
