using System.Collections.Concurrent;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The store for tests and single-process development: it survives a restart of the venue (a new
/// <see cref="PaperExchange"/> over the same store instance), not of the process. Being the store, it keeps what it
/// is given, archive included (it applies no <see cref="PaperExchangeOptions.FinalOrderRetention"/>); its owner (the host
/// or test) bounds its life. Production backs <see cref="IPaperVenueStore"/> with
/// durable grain storage.
/// </summary>
public sealed class InMemoryPaperVenueStore : IPaperVenueStore
{
    private readonly ConcurrentDictionary<string, PaperVenueSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PaperArchiveIndex> _archives = new(StringComparer.Ordinal);

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
        _archives.GetOrAdd(accountId, _ => new PaperArchiveIndex()).Add(archive);
        return Task.CompletedTask;
    }

    public Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.FindOrder(orderId) : null);

    public Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.FindByClientOrderId(clientOrderId) : null);

    public Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
        Task.FromResult(_archives.TryGetValue(accountId, out var archive) ? archive.ExecutionsSince(since) : (IReadOnlyList<Execution>)[]);
}
