using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// What the venue holds that no archive chunk holds yet, as the store follows it from save to save: working orders,
/// final orders of unfinished groups and every order changed since the previous checkpoint; the groups not finished at
/// that checkpoint; every position; the executions added since; the counters. Each save's change keeps it current, so
/// a checkpoint costs the live state plus what changed since the previous one, not the final orders and executions the
/// venue keeps for its retention window (a chunk already holds those, and nothing here names them).
/// </summary>
internal sealed class PaperVenueUnarchived
{
    private readonly Dictionary<string, PaperOrderRecord> _orders;
    private readonly Dictionary<string, OrderGroup> _groups;
    private readonly Dictionary<string, Position> _positions;
    private readonly List<Execution> _executions;

    // The newest execution seen here, kept after a chunk took it: executions after it in the venue's list are new.
    private string? _newestExecutionId;

    private PaperVenueUnarchived(
        Dictionary<string, PaperOrderRecord> orders, Dictionary<string, OrderGroup> groups, Dictionary<string, Position> positions, List<Execution> executions)
    {
        _orders = orders;
        _groups = groups;
        _positions = positions;
        _executions = executions;
    }

    /// <summary>Orders held here; a checkpoint examines exactly these.</summary>
    public int OrderCount => _orders.Count;

    public int ExecutionCount => _executions.Count;

    public long NextSequence { get; private set; }

    public DateTimeOffset? ArchivedBefore { get; private set; }

    /// <summary>
    /// A loaded state: none of it is in a chunk the checkpoint counts (a chunk past its count is overwritten), so all of
    /// it is held here.
    /// </summary>
    public static PaperVenueUnarchived Of(PaperVenueSnapshot loaded)
    {
        var unarchived = new PaperVenueUnarchived(
            loaded.Orders.ToDictionary(r => r.Order.OrderId, StringComparer.Ordinal),
            loaded.Groups.ToDictionary(g => g.GroupId, StringComparer.Ordinal),
            loaded.Positions.ToDictionary(p => p.Symbol, StringComparer.Ordinal),
            [.. loaded.Executions])
        {
            NextSequence = loaded.NextSequence,
            ArchivedBefore = loaded.ArchivedBefore,
        };
        unarchived._newestExecutionId = loaded.Executions.Count > 0 ? loaded.Executions[^1].ExecutionId : null;
        return unarchived;
    }

    /// <summary>
    /// The venue's whole state less what a chunk holds already, for a save whose change is unknown. An order missing
    /// here was either archived (a chunk has it, and a final order never changes again) or is new, numbered at or
    /// after <see cref="NextSequence"/>; an execution missing here was archived if it comes at or before the newest one
    /// seen here (the list only drops at its front and appends at its end).
    /// </summary>
    public PaperVenueUnarchived Rebase(PaperVenueSnapshot full)
    {
        var orders = new Dictionary<string, PaperOrderRecord>(StringComparer.Ordinal);
        foreach (var record in full.Orders)
        {
            if (_orders.ContainsKey(record.Order.OrderId) || record.Sequence >= NextSequence)
            {
                orders[record.Order.OrderId] = record;
            }
        }

        var newestSeen = -1;
        if (_newestExecutionId is { } newestId)
        {
            for (var i = full.Executions.Count - 1; i >= 0; i--)
            {
                if (full.Executions[i].ExecutionId == newestId)
                {
                    newestSeen = i;
                    break;
                }
            }
        }

        var held = IdsOf(_executions);
        var executions = new List<Execution>();
        for (var i = 0; i < full.Executions.Count; i++)
        {
            if (i > newestSeen || held.Contains(full.Executions[i].ExecutionId))
            {
                executions.Add(full.Executions[i]);
            }
        }

        // Finished groups are dropped again by the checkpoint that follows.
        var rebased = new PaperVenueUnarchived(
            orders,
            full.Groups.ToDictionary(g => g.GroupId, StringComparer.Ordinal),
            full.Positions.ToDictionary(p => p.Symbol, StringComparer.Ordinal),
            executions)
        {
            NextSequence = full.NextSequence,
            ArchivedBefore = full.ArchivedBefore,
        };
        rebased._newestExecutionId = full.Executions.Count > 0 ? full.Executions[^1].ExecutionId : _newestExecutionId;
        return rebased;
    }

    /// <summary>A copy to change without touching this one until the write it prepares succeeds.</summary>
    public PaperVenueUnarchived Copy() =>
        new(new(_orders, StringComparer.Ordinal), new(_groups, StringComparer.Ordinal), new(_positions, StringComparer.Ordinal), [.. _executions])
        {
            NextSequence = NextSequence,
            ArchivedBefore = ArchivedBefore,
            _newestExecutionId = _newestExecutionId,
        };

    /// <summary>Follows one saved change; costs the size of the change. Dropped executions are not described (the store checkpoints those from the whole state).</summary>
    public void Apply(PaperVenueChange change)
    {
        foreach (var id in change.RemovedOrderIds)
        {
            _orders.Remove(id);
        }

        foreach (var record in change.Orders)
        {
            _orders[record.Order.OrderId] = record;
        }

        foreach (var id in change.RemovedGroupIds)
        {
            _groups.Remove(id);
        }

        foreach (var group in change.Groups)
        {
            _groups[group.GroupId] = group;
        }

        foreach (var symbol in change.RemovedSymbols)
        {
            _positions.Remove(symbol);
        }

        foreach (var position in change.Positions)
        {
            _positions[position.Symbol] = position;
        }

        _executions.AddRange(change.AddedExecutions);
        if (change.AddedExecutions.Count > 0)
        {
            _newestExecutionId = change.AddedExecutions[^1].ExecutionId;
        }

        NextSequence = change.NextSequence;
        ArchivedBefore = change.ArchivedBefore;
    }

    /// <summary>
    /// The orders and executions of <paramref name="archive"/> that no chunk holds yet: those held here, and those this
    /// store never saw saved (an archive handed over without saves before it); a checkpoint archived the rest.
    /// </summary>
    public (List<PaperOrderRecord> Orders, List<Execution> Executions) NotYetArchived(PaperVenueArchive archive)
    {
        var orders = archive.Orders.Where(o => _orders.ContainsKey(o.Order.OrderId) || o.Sequence >= NextSequence).ToList();
        var executions = new List<Execution>();
        if (_newestExecutionId is null)
        {
            executions.AddRange(archive.Executions);
        }
        else if (_executions.Count > 0 && archive.Executions.Count > 0)
        {
            var held = IdsOf(_executions);
            executions.AddRange(archive.Executions.Where(e => held.Contains(e.ExecutionId)));
        }

        return (orders, executions);
    }

    /// <summary>Forgets orders and executions now written into a chunk.</summary>
    public void Forget(IReadOnlyList<PaperOrderRecord> orders, IReadOnlyList<Execution> executions)
    {
        foreach (var record in orders)
        {
            _orders.Remove(record.Order.OrderId);
        }

        if (executions.Count > 0)
        {
            var archived = IdsOf(executions);
            _executions.RemoveAll(e => archived.Contains(e.ExecutionId));
        }
    }

    /// <summary>
    /// Splits off what a checkpoint archives: final orders (whole groups only, once every member is final; a member
    /// not held here is final and archived already), in arrival sequence, and every execution held; keeps the live
    /// orders and the unfinished groups.
    /// </summary>
    public (List<PaperOrderRecord> History, List<Execution> Executions) TakeHistory()
    {
        var done = DoneGroups();
        var history = new List<PaperOrderRecord>();
        foreach (var record in _orders.Values)
        {
            if (record.Order.Status.IsFinal() && (record.GroupId is null || done.Contains(record.GroupId)))
            {
                history.Add(record);
            }
        }

        history.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        foreach (var record in history)
        {
            _orders.Remove(record.Order.OrderId);
        }

        foreach (var groupId in done)
        {
            _groups.Remove(groupId);
        }

        var executions = new List<Execution>(_executions);
        _executions.Clear();
        return (history, executions);
    }

    /// <summary>The live state held here as a checkpoint's snapshot; orders in arrival sequence.</summary>
    public PaperVenueSnapshot ToLiveSnapshot(DateTimeOffset? archivedBefore)
    {
        var orders = new List<PaperOrderRecord>(_orders.Values);
        orders.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return new PaperVenueSnapshot
        {
            Orders = orders,
            Groups = [.. _groups.Values],
            Executions = [.. _executions],
            Positions = [.. _positions.Values],
            NextSequence = NextSequence,
            ArchivedBefore = archivedBefore,
        };
    }

    private HashSet<string> DoneGroups()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in _groups.Values)
        {
            if (Members(group).All(id => _orders.GetValueOrDefault(id) is not { } member || member.Order.Status.IsFinal()))
            {
                done.Add(group.GroupId);
            }
        }

        return done;
    }

    private static HashSet<string> IdsOf(IEnumerable<Execution> executions) =>
        executions.Select(e => e.ExecutionId).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> Members(OrderGroup group) => group.ChildOrderIds.Append(group.EntryOrderId).OfType<string>();
}
