using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The retained history of an account in memory (loaded from its history pages at activation) and the indexes derived
/// from it: client order ids (idempotency), applied execution ids (exactly-once fills) and the final state of closed orders.
/// Bounded by the history retention: evicting a page removes its entries and re-derives the indexes.
/// </summary>
internal sealed class AccountHistory
{
    public List<AccountEvent> Events { get; } = [];

    public List<JournalEntry> Journal { get; } = [];

    public List<AccountFill> Fills { get; } = [];

    public Dictionary<string, AccountOrder> ClosedOrders { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> ClientOrderIds { get; } = new(StringComparer.Ordinal);

    public HashSet<string> ExecutionIds { get; } = new(StringComparer.Ordinal);

    public void Add(AccountEvent entry)
    {
        Events.Add(entry);
        if (entry.Order is { } order && order.Status.IsFinal())
        {
            ClosedOrders[order.OrderId] = order;
        }
    }

    public void Add(JournalEntry entry)
    {
        Journal.Add(entry);
        ClientOrderIds[entry.ClientOrderId] = entry.OrderId;
    }

    public void Add(AccountFill fill)
    {
        Fills.Add(fill);
        ExecutionIds.Add(fill.ExecutionId);
    }

    /// <summary>Drops the oldest entries (an evicted page) and re-derives the indexes from what remains and the working orders.</summary>
    public void RemoveOldest(int events, int journal, int fills, IEnumerable<WorkingOrder> working)
    {
        Events.RemoveRange(0, Math.Min(events, Events.Count));
        Journal.RemoveRange(0, Math.Min(journal, Journal.Count));
        Fills.RemoveRange(0, Math.Min(fills, Fills.Count));
        ClosedOrders.Clear();
        ClientOrderIds.Clear();
        ExecutionIds.Clear();
        foreach (var entry in Events)
        {
            if (entry.Order is { } order && order.Status.IsFinal())
            {
                ClosedOrders[order.OrderId] = order;
            }
        }

        foreach (var entry in Journal)
        {
            ClientOrderIds[entry.ClientOrderId] = entry.OrderId;
        }

        foreach (var fill in Fills)
        {
            ExecutionIds.Add(fill.ExecutionId);
        }

        foreach (var order in working)
        {
            ClientOrderIds[order.Order.ClientOrderId] = order.Order.OrderId;
            ExecutionIds.UnionWith(order.Order.ExecutionIds);
        }
    }
}
