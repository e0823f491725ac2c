using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// What one venue save changes against the previous save: upserted and removed orders, groups and positions, executions
/// dropped from the front and appended at the end. Its size follows the change, not the account, so a store can write
/// it instead of the whole <see cref="PaperVenueSnapshot"/>.
/// </summary>
public sealed record PaperVenueChange
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<PaperOrderRecord> Orders { get; init => field = value ?? []; } = [];

    public IReadOnlyList<string> RemovedOrderIds { get; init => field = value ?? []; } = [];

    public IReadOnlyList<OrderGroup> Groups { get; init => field = value ?? []; } = [];

    public IReadOnlyList<string> RemovedGroupIds { get; init => field = value ?? []; } = [];

    public IReadOnlyList<Position> Positions { get; init => field = value ?? []; } = [];

    public IReadOnlyList<string> RemovedSymbols { get; init => field = value ?? []; } = [];

    /// <summary>How many executions left the front of the list (archived).</summary>
    public int DroppedExecutions { get; init; }

    public IReadOnlyList<Execution> AddedExecutions { get; init => field = value ?? []; } = [];

    public long NextSequence { get; init; }

    public DateTimeOffset? ArchivedBefore { get; init; }

    /// <summary>
    /// The change from <paramref name="previous"/> to <paramref name="next"/> found by comparing them (records are
    /// immutable, so an unchanged one is the same reference), or null when executions changed other than at the ends.
    /// The venue itself builds its changes from what a transaction touched; this is for stores and tests that hold two
    /// snapshots.
    /// </summary>
    public static PaperVenueChange? Between(PaperVenueSnapshot previous, PaperVenueSnapshot next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (!TryDiffExecutions(previous.Executions, next.Executions, out var dropped, out var added))
        {
            return null;
        }

        var (orders, removedOrders) = Diff(previous.Orders, next.Orders, r => r.Order.OrderId);
        var (groups, removedGroups) = Diff(previous.Groups, next.Groups, g => g.GroupId);
        var (positions, removedSymbols) = Diff(previous.Positions, next.Positions, p => p.Symbol);
        return new PaperVenueChange
        {
            Orders = orders,
            RemovedOrderIds = removedOrders,
            Groups = groups,
            RemovedGroupIds = removedGroups,
            Positions = positions,
            RemovedSymbols = removedSymbols,
            DroppedExecutions = dropped,
            AddedExecutions = added,
            NextSequence = next.NextSequence,
            ArchivedBefore = next.ArchivedBefore,
        };
    }

    /// <summary>The snapshot after this change; orders in arrival sequence as the venue saves them.</summary>
    public PaperVenueSnapshot ApplyTo(PaperVenueSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new PaperVenueSnapshot
        {
            Orders = [.. Apply(snapshot.Orders, Orders, RemovedOrderIds, r => r.Order.OrderId).OrderBy(r => r.Sequence)],
            Groups = [.. Apply(snapshot.Groups, Groups, RemovedGroupIds, g => g.GroupId)],
            Positions = [.. Apply(snapshot.Positions, Positions, RemovedSymbols, p => p.Symbol)],
            Executions = [.. snapshot.Executions.Skip(DroppedExecutions), .. AddedExecutions],
            NextSequence = NextSequence,
            ArchivedBefore = ArchivedBefore,
        };
    }

    private static (List<T> Upserts, List<string> Removed) Diff<T>(IReadOnlyList<T> previous, IReadOnlyList<T> next, Func<T, string> key)
        where T : class
    {
        var before = new Dictionary<string, T>(previous.Count, StringComparer.Ordinal);
        foreach (var item in previous)
        {
            before[key(item)] = item;
        }

        var upserts = new List<T>();
        foreach (var item in next)
        {
            if (!before.Remove(key(item), out var old) || !ReferenceEquals(old, item))
            {
                upserts.Add(item);
            }
        }

        return (upserts, [.. before.Keys]);
    }

    private static IEnumerable<T> Apply<T>(IReadOnlyList<T> items, IReadOnlyList<T> upserts, IReadOnlyList<string> removed, Func<T, string> key)
    {
        var result = new Dictionary<string, T>(items.Count + upserts.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            result[key(item)] = item;
        }

        foreach (var id in removed)
        {
            result.Remove(id);
        }

        foreach (var item in upserts)
        {
            result[key(item)] = item;
        }

        return result.Values;
    }

    private static bool TryDiffExecutions(IReadOnlyList<Execution> previous, IReadOnlyList<Execution> next, out int dropped, out List<Execution> added)
    {
        var kept = new HashSet<Execution>(next, ReferenceEqualityComparer.Instance);
        dropped = 0;
        while (dropped < previous.Count && !kept.Contains(previous[dropped]))
        {
            dropped++;
        }

        // What stays must be the unchanged middle, in order, at the front of the new list.
        var remaining = previous.Count - dropped;
        added = [];
        if (remaining > next.Count)
        {
            return false;
        }

        for (var i = 0; i < remaining; i++)
        {
            if (!ReferenceEquals(previous[dropped + i], next[i]))
            {
                return false;
            }
        }

        for (var i = remaining; i < next.Count; i++)
        {
            added.Add(next[i]);
        }

        return true;
    }
}
