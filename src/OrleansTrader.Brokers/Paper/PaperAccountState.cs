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
    /// Final orders last changed before <paramref name="cutoff"/> or before <paramref name="keepFrom"/> (whole groups only,
    /// once every member is final) and executions before either, and the state without them.
    /// </summary>
    public (PaperVenueArchive Archive, PaperAccountState Remaining) SplitForArchive(DateTimeOffset cutoff, RetentionMark? keepFrom = null)
    {
        bool Old(PaperOrderRecord r) => r.Order.UpdatedAt < cutoff || (keepFrom is { } mark && mark.Follows(r));

        var orders = Orders;
        // A group leaves whole: once every member still held is final and older than the cutoff (members an earlier
        // build already archived count as gone).
        var done = Groups.Values
            .Where(g => Members(g).All(id => orders.GetValueOrDefault(id) is not { } o || (o.Order.Status.IsFinal() && Old(o))))
            .Select(g => g.GroupId)
            .ToHashSet(StringComparer.Ordinal);
        var leaving = Orders.Values
            .Where(r => r.Order.Status.IsFinal() && Old(r) && (r.GroupId is null || done.Contains(r.GroupId)))
            .ToList();
        var ids = leaving.Select(r => r.Order.OrderId).ToHashSet(StringComparer.Ordinal);
        var before = keepFrom is { } last && last.UpdatedAt > cutoff ? last.UpdatedAt : cutoff;

        // Fills at the mark's own time leave with their orders, from the front of the list only: the grain store takes a
        // fill missing before the newest one it saw as archived, so the list drops only at its front.
        var leadingTies = 0;
        if (keepFrom is { } tie)
        {
            while (leadingTies < Executions.Count && LeavesAtTie(Executions[leadingTies], tie.UpdatedAt))
            {
                leadingTies++;
            }
        }

        // So do fills an earlier trim left behind (their order had left, a kept order's fill at the same time before them): at
        // the front now, they stopped every trim at one instant (a frozen clock), and no fill left memory again.
        bool LeavesAtTie(Execution e, DateTimeOffset at) =>
            e.Timestamp < before || (e.Timestamp == at && (ids.Contains(e.OrderId) || !Orders.ContainsKey(e.OrderId)));

        var executions = Executions.Where((e, i) => e.Timestamp < before || i < leadingTies).ToList();
        var archive = new PaperVenueArchive { Orders = leaving, Executions = executions };
        if (leaving.Count == 0 && executions.Count == 0 && done.Count == 0)
        {
            return (archive, this);
        }

        // Fills at the mark's time left too: the venue then asks the archive for fills up to and at that time.
        var archivedBefore = before;
        foreach (var execution in executions)
        {
            if (execution.Timestamp >= archivedBefore)
            {
                archivedBefore = execution.Timestamp.AddTicks(1);
            }
        }

        var remaining = this with
        {
            Orders = Orders.RemoveRange(ids),
            ClientOrderIds = ClientOrderIds.RemoveRange(leaving.Select(r => r.Order.ClientOrderId)),
            Groups = Groups.RemoveRange(done),
            Executions = leadingTies == 0 ? Executions.RemoveAll(e => e.Timestamp < before) : [.. Executions.Where((e, i) => e.Timestamp >= before && i >= leadingTies)],
            ArchivedBefore = ArchivedBefore is { } earlier && earlier > archivedBefore ? earlier : archivedBefore,
        };
        return (archive, remaining);
    }

    /// <summary>
    /// The mark for <see cref="SplitForArchive"/> that keeps exactly the newest <paramref name="keep"/> final orders, by
    /// their last change's time and then their arrival; null when there are no more than that. By time alone, orders
    /// sharing the cutoff's time (a frozen clock, a burst within one tick) all stayed, and every later save sorted them again.
    /// </summary>
    public RetentionMark? CutoffKeeping(int keep)
    {
        var finals = Orders.Values.Where(r => r.Order.Status.IsFinal()).Select(r => new RetentionMark(r.Order.UpdatedAt, r.Sequence)).ToList();
        if (finals.Count <= keep)
        {
            return null;
        }

        finals.Sort(static (a, b) => a.UpdatedAt != b.UpdatedAt ? a.UpdatedAt.CompareTo(b.UpdatedAt) : a.Sequence.CompareTo(b.Sequence));
        return finals[finals.Count - keep];
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

/// <summary>
/// A final order's place among the others for the trim by count: its last change's time, then its arrival sequence, so
/// orders that share one time are still ordered, each once. The trim keeps the mark's order and those after it.
/// </summary>
internal readonly record struct RetentionMark(DateTimeOffset UpdatedAt, long Sequence)
{
    /// <summary>Whether <paramref name="record"/> comes before this mark, so it may leave.</summary>
    public bool Follows(PaperOrderRecord record) =>
        record.Order.UpdatedAt < UpdatedAt || (record.Order.UpdatedAt == UpdatedAt && record.Sequence < Sequence);
}
