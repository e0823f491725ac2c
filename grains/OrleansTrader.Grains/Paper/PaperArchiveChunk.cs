using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// One append-only piece of an account's venue archive: final orders and executions written once, when a checkpoint
/// leaves them out or the venue archives them. Its size follows the history since the previous chunk, not the account.
/// </summary>
internal sealed record PaperArchiveChunk
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public IReadOnlyList<PaperStoredOrder> Orders { get; init => field = value ?? []; } = [];

    public IReadOnlyList<PaperStoredExecution> Executions { get; init => field = value ?? []; } = [];

    /// <summary>The newest order change or execution the chunk holds (null when it holds none): what its retention counts from.</summary>
    public DateTimeOffset? Newest()
    {
        DateTimeOffset? newest = null;
        foreach (var order in Orders)
        {
            var at = order.UpdatedAt ?? order.CreatedAt;
            newest = newest is null || at > newest ? at : newest;
        }

        foreach (var execution in Executions)
        {
            newest = newest is null || execution.Timestamp > newest ? execution.Timestamp : newest;
        }

        return newest;
    }

    public static PaperArchiveChunk From(IReadOnlyList<PaperOrderRecord> orders, IReadOnlyList<Execution> executions)
    {
        var ids = orders.Select(o => o.Order.OrderId).ToHashSet(StringComparer.Ordinal);
        return new PaperArchiveChunk
        {
            Orders = [.. orders.Select(PaperStoredOrder.From)],
            Executions = [.. executions.Select(e => PaperStoredExecution.From(e, ids.Contains(e.OrderId)))],
        };
    }
}
