using System.Collections.Concurrent;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The store for tests and single-process development: it survives a restart of the venue (a new
/// <see cref="PaperExchange"/> over the same store instance), not of the process. Being the store, it keeps what it
/// is given; its owner (the host or test) bounds its life. Production backs <see cref="IPaperVenueStore"/> with
/// durable grain storage.
/// </summary>
public sealed class InMemoryPaperVenueStore : IPaperVenueStore
{
    private readonly ConcurrentDictionary<string, PaperVenueSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountArchive> _archives = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _snapshots.Keys.Order(StringComparer.Ordinal)]);

    public Task<PaperVenueSnapshot?> LoadAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_snapshots.GetValueOrDefault(accountId));

    public Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        _snapshots[accountId] = snapshot();
        return Task.CompletedTask;
    }

    public Task ArchiveAsync(string accountId, PaperVenueArchive archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        _archives.GetOrAdd(accountId, _ => new AccountArchive()).Add(archive);
        return Task.CompletedTask;
    }

    public Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.FindOrder(orderId) : null);

    public Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.FindByClientOrderId(clientOrderId) : null);

    public Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.ExecutionsSince(since) : (IReadOnlyList<Execution>)[]);

    private sealed class AccountArchive
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
}
