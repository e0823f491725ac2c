using System.Collections.Immutable;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Brokers.Paper;

/// <summary>One account's venue state in memory. Immutable: a change builds a new state that replaces this one only after it is saved.</summary>
internal sealed record PaperAccountState
{
    public static PaperAccountState Empty { get; } = new();

    public ImmutableDictionary<string, PaperOrderRecord> Orders { get; init; } = ImmutableDictionary.Create<string, PaperOrderRecord>(StringComparer.Ordinal);

    public ImmutableDictionary<string, string> ClientOrderIds { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    public ImmutableDictionary<string, OrderGroup> Groups { get; init; } = ImmutableDictionary.Create<string, OrderGroup>(StringComparer.Ordinal);

    public ImmutableList<Execution> Executions { get; init; } = [];

    public ImmutableDictionary<string, Position> Positions { get; init; } = ImmutableDictionary.Create<string, Position>(StringComparer.Ordinal);

    public long NextSequence { get; init; }

    public DateTimeOffset? ArchivedBefore { get; init; }

    public bool HasWorkingOrders(string symbol) =>
        Orders.Values.Any(r => !r.Held && r.Order.Symbol == symbol && r.Order.Status.IsWorking() && r.Order.Status != OrderStatus.PendingNew);

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
        ClientOrderIds = snapshot.Orders.ToImmutableDictionary(r => r.Order.ClientOrderId, r => r.Order.OrderId, StringComparer.Ordinal),
        Groups = snapshot.Groups.ToImmutableDictionary(g => g.GroupId, StringComparer.Ordinal),
        Executions = [.. snapshot.Executions],
        Positions = snapshot.Positions.ToImmutableDictionary(p => p.Symbol, StringComparer.Ordinal),
        NextSequence = snapshot.NextSequence,
        ArchivedBefore = snapshot.ArchivedBefore,
    };
}
