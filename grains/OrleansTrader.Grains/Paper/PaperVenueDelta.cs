using System.Text.Json.Serialization;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// One numbered venue save as the store writes it into its ring of delta records: only what the save changed, in the
/// stored forms that leave out absent and derived values. Empty lists are left out.
/// </summary>
internal sealed record PaperVenueDelta
{
    /// <summary>
    /// The save's number, from 1 on. Not <c>required</c>, so a bulk read can stand a new delta for a slot with no record:
    /// its 0 is no save's number, so such a slot ends the journal as a missing one does.
    /// </summary>
    public long Number { get; init; }

    /// <summary>The whole <see cref="PaperVenueChange"/>, as deltas were written before the stored forms; read, never written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PaperVenueChange? Change { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PaperStoredOrder>? Orders { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? RemovedOrderIds { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<OrderGroup>? Groups { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? RemovedGroupIds { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PaperStoredPosition>? Positions { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? RemovedSymbols { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PaperStoredExecution>? Executions { get; init; }

    public long NextSequence { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ArchivedBefore { get; init; }

    /// <summary>The stored form of a change that drops no executions (the store checkpoints those instead).</summary>
    public static PaperVenueDelta From(long number, PaperVenueChange change)
    {
        var orders = OrNull(change.Orders, PaperStoredOrder.From);
        return new PaperVenueDelta
        {
            Number = number,
            Orders = orders,
            RemovedOrderIds = OrNull(change.RemovedOrderIds),
            Groups = OrNull(change.Groups),
            RemovedGroupIds = OrNull(change.RemovedGroupIds),
            Positions = OrNull(change.Positions, PaperStoredPosition.From),
            RemovedSymbols = OrNull(change.RemovedSymbols),
            Executions = StoreExecutions(change.AddedExecutions, orders),
            NextSequence = change.NextSequence,
            ArchivedBefore = change.ArchivedBefore,
        };
    }

    public PaperVenueChange ToChange()
    {
        if (Change is { } legacy)
        {
            return legacy;
        }

        var orders = Orders ?? [];
        return new PaperVenueChange
        {
            Orders = [.. orders.Select(o => o.ToRecord())],
            RemovedOrderIds = RemovedOrderIds ?? [],
            Groups = Groups ?? [],
            RemovedGroupIds = RemovedGroupIds ?? [],
            Positions = [.. (Positions ?? []).Select(p => p.ToPosition())],
            RemovedSymbols = RemovedSymbols ?? [],
            AddedExecutions = [.. (Executions ?? []).Select(e => e.ToExecution(orders.FirstOrDefault(o => o.OrderId == e.OrderId)))],
            NextSequence = NextSequence,
            ArchivedBefore = ArchivedBefore,
        };
    }

    private static IReadOnlyList<T>? OrNull<T>(IReadOnlyList<T> items) => items.Count == 0 ? null : items;

    private static List<TStored>? OrNull<T, TStored>(IReadOnlyList<T> items, Func<T, TStored> store)
    {
        if (items.Count == 0)
        {
            return null;
        }

        var stored = new List<TStored>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            stored.Add(store(items[i]));
        }

        return stored;
    }

    // A loop rather than a lambda over the stored orders: a delta is written on every venue save.
    private static List<PaperStoredExecution>? StoreExecutions(IReadOnlyList<Execution> executions, List<PaperStoredOrder>? orders)
    {
        if (executions.Count == 0)
        {
            return null;
        }

        var stored = new List<PaperStoredExecution>(executions.Count);
        for (var i = 0; i < executions.Count; i++)
        {
            stored.Add(PaperStoredExecution.From(executions[i], HasOrder(orders, executions[i].OrderId)));
        }

        return stored;
    }

    private static bool HasOrder(List<PaperStoredOrder>? orders, string orderId)
    {
        if (orders is null)
        {
            return false;
        }

        foreach (var order in orders)
        {
            if (order.OrderId == orderId)
            {
                return true;
            }
        }

        return false;
    }
}
