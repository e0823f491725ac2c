using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>A paper venue store that hands every call to another; a test double overrides only the calls it watches or breaks.</summary>
public abstract class DelegatingPaperVenueStore(IPaperVenueStore inner) : IPaperVenueStore
{
    public virtual Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken cancellationToken) => inner.ListAccountsAsync(cancellationToken);

    public virtual Task<PaperVenueSnapshot?> LoadAsync(string accountId, CancellationToken cancellationToken) => inner.LoadAsync(accountId, cancellationToken);

    public virtual Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken) =>
        inner.SaveAsync(accountId, change, snapshot, cancellationToken);

    public virtual Task ArchiveAsync(string accountId, PaperVenueArchive archive, CancellationToken cancellationToken) =>
        inner.ArchiveAsync(accountId, archive, cancellationToken);

    public virtual Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        inner.FindArchivedOrderAsync(accountId, orderId, cancellationToken);

    public virtual Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken) =>
        inner.FindArchivedOrderByClientOrderIdAsync(accountId, clientOrderId, cancellationToken);

    public virtual Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.LoadArchivedExecutionsAsync(accountId, since, cancellationToken);
}
