using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The archived orders and executions of one venue account in memory, for lookups by order id, client order id and
/// time: the archive of <see cref="InMemoryPaperVenueStore"/>, which keeps what it is given. (The grain store keeps
/// only an index of its stored chunks and reads them on demand.) A later write of an order wins; executions are kept
/// once by id.
/// </summary>
public sealed class PaperArchiveIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PaperOrderRecord> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byClientOrderId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _executionIds = new(StringComparer.Ordinal);
    private readonly List<Execution> _executions = [];

    public void Add(PaperVenueArchive archive)
    {
        lock (_gate)
        {
            foreach (var order in archive.Orders)
            {
                _orders[order.Order.OrderId] = order;
                _byClientOrderId[order.Order.ClientOrderId] = order.Order.OrderId;
            }

            foreach (var execution in archive.Executions)
            {
                if (_executionIds.Add(execution.ExecutionId))
                {
                    _executions.Add(execution);
                }
            }
        }
    }

    public PaperOrderRecord? FindOrder(string orderId)
    {
        lock (_gate)
        {
            return _orders.GetValueOrDefault(orderId);
        }
    }

    public PaperOrderRecord? FindByClientOrderId(string clientOrderId)
    {
        lock (_gate)
        {
            return _byClientOrderId.TryGetValue(clientOrderId, out var id) ? _orders.GetValueOrDefault(id) : null;
        }
    }

    public IReadOnlyList<Execution> ExecutionsSince(DateTimeOffset since)
    {
        lock (_gate)
        {
            return [.. _executions.Where(e => e.Timestamp >= since).OrderBy(e => e.Timestamp)];
        }
    }
}
