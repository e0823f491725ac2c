using System.Collections.Immutable;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Brokers.Paper;

/// <summary>One account's venue state in memory. Immutable: a change builds a new state that replaces this one only after it is saved.</summary>
internal sealed record PaperAccountState
{
    public static PaperAccountState Empty { get; } = new();

    public ImmutableDictionary<string, PaperOrderRecord> Orders { get; init; } = ImmutableDictionary.Create<string, PaperOrderRecord>(StringComparer.Ordinal);

    /// <summary>
    /// The ids of the orders that are not final, by arrival sequence: what matching, expiry and the open-order list walk,
    /// so a market update costs the working orders and not the final ones kept for the retention window (thousands).
    /// </summary>
    public ImmutableSortedDictionary<long, string> Working { get; init; } = ImmutableSortedDictionary<long, string>.Empty;

    public ImmutableDictionary<string, string> ClientOrderIds { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    public ImmutableDictionary<string, OrderGroup> Groups { get; init; } = ImmutableDictionary.Create<string, OrderGroup>(StringComparer.Ordinal);

    public ImmutableList<Execution> Executions { get; init; } = [];

    public ImmutableDictionary<string, Position> Positions { get; init; } = ImmutableDictionary.Create<string, Position>(StringComparer.Ordinal);

    public long NextSequence { get; init; }

    public DateTimeOffset? ArchivedBefore { get; init; }

    /// <summary>The symbols with orders that can match now (working, accepted, not held).</summary>
    public HashSet<string> MatchableSymbols() =>
        WorkingOrders().Where(r => !r.Held && r.Order.Status != OrderStatus.PendingNew)
            .Select(r => r.Order.Symbol)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The orders that are not final, in arrival order.</summary>
    public IEnumerable<PaperOrderRecord> WorkingOrders() => Working.Values.Select(id => Orders[id]);

    /// <summary>
    /// Final orders last changed before <paramref name="cutoff"/> (whole groups only, once every member is final) and
    /// executions before it, and the state without them.
    /// </summary>
    public (PaperVenueArchive Archive, PaperAccountState Remaining) SplitForArchive(DateTimeOffset cutoff)
    {
        var orders = Orders;
        // A group leaves whole: once every member still held is final and older than the cutoff (members an earlier
        // build already archived count as gone).
        var done = Groups.Values
            .Where(g => Members(g).All(id => orders.GetValueOrDefault(id) is not { } o || (o.Order.Status.IsFinal() && o.Order.UpdatedAt < cutoff)))
            .Select(g => g.GroupId)
            .ToHashSet(StringComparer.Ordinal);
        var leaving = Orders.Values
            .Where(r => r.Order.Status.IsFinal() && r.Order.UpdatedAt < cutoff && (r.GroupId is null || done.Contains(r.GroupId)))
            .ToList();
        var executions = Executions.Where(e => e.Timestamp < cutoff).ToList();
        var archive = new PaperVenueArchive { Orders = leaving, Executions = executions };
        if (leaving.Count == 0 && executions.Count == 0 && done.Count == 0)
        {
            return (archive, this);
        }

        var ids = leaving.Select(r => r.Order.OrderId).ToHashSet(StringComparer.Ordinal);
        var remaining = this with
        {
            Orders = Orders.RemoveRange(ids),
            ClientOrderIds = ClientOrderIds.RemoveRange(leaving.Select(r => r.Order.ClientOrderId)),
            Groups = Groups.RemoveRange(done),
            Executions = Executions.RemoveAll(e => e.Timestamp < cutoff),
            ArchivedBefore = ArchivedBefore is { } before && before > cutoff ? before : cutoff,
        };
        return (archive, remaining);
    }

    /// <summary>
    /// The cutoff for <see cref="SplitForArchive"/> that keeps the newest <paramref name="keep"/> final orders (and any
    /// that share the last one's time); null when there are no more than that.
    /// </summary>
    public DateTimeOffset? CutoffKeeping(int keep)
    {
        var finalTimes = Orders.Values.Where(r => r.Order.Status.IsFinal()).Select(r => r.Order.UpdatedAt).ToList();
        if (finalTimes.Count <= keep)
        {
            return null;
        }

        finalTimes.Sort();
        return finalTimes[finalTimes.Count - keep];
    }

    private static IEnumerable<string> Members(OrderGroup group) => group.ChildOrderIds.Append(group.EntryOrderId).OfType<string>();

    public PaperVenueSnapshot ToSnapshot() => new()
    {
        Orders = [.. Orders.Values.OrderBy(r => r.Sequence)],
        Groups = [.. Groups.Values],
        Executions = Executions,
        Positions = [.. Positions.Values],
        NextSequence = NextSequence,
        ArchivedBefore = ArchivedBefore,
    };

    public static PaperAccountState FromSnapshot(PaperVenueSnapshot snapshot) => new()
    {
        Orders = snapshot.Orders.ToImmutableDictionary(r => r.Order.OrderId, StringComparer.Ordinal),
        Working = snapshot.Orders.Where(r => r.Order.Status.IsWorking()).ToImmutableSortedDictionary(r => r.Sequence, r => r.Order.OrderId),
        ClientOrderIds = snapshot.Orders.ToImmutableDictionary(r => r.Order.ClientOrderId, r => r.Order.OrderId, StringComparer.Ordinal),
        Groups = snapshot.Groups.ToImmutableDictionary(g => g.GroupId, StringComparer.Ordinal),
        Executions = [.. snapshot.Executions],
        Positions = snapshot.Positions.ToImmutableDictionary(p => p.Symbol, StringComparer.Ordinal),
        NextSequence = snapshot.NextSequence,
        ArchivedBefore = snapshot.ArchivedBefore,
    };
}
