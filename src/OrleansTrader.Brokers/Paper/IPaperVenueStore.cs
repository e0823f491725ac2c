using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// Durable state of the paper venue, per account. The venue saves the live snapshot before it acknowledges anything
/// (a submit returns, a report is published), so a restart loses no acknowledged order or execution. History older
/// than the retention window is appended to the archive first and then dropped from the snapshot. Writes for one
/// account never overlap: the venue serializes them.
/// </summary>
public interface IPaperVenueStore
{
    /// <summary>Every account with a saved snapshot, for restoring the venue at startup.</summary>
    Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The saved state. A store may return only the live part and keep final orders and executions in its archive
    /// instead; its <see cref="PaperVenueSnapshot.ArchivedBefore"/> then lies after every one of them, so the venue
    /// asks the archive for them.
    /// </summary>
    Task<PaperVenueSnapshot?> LoadAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>
    /// Saves one change of the account's live state. <paramref name="change"/> is what differs from the previous save,
    /// or null when the venue cannot say (then the store must take the whole state); <paramref name="snapshot"/> builds
    /// the whole live state, for stores that keep full copies (or cannot follow the change). Building it costs time in
    /// the number of retained orders, so a store calls it only when it needs it.
    /// </summary>
    Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken);

    /// <summary>Appends history; idempotent by order id and execution id, since a crash may repeat an archive.</summary>
    Task ArchiveAsync(string accountId, PaperVenueArchive archive, CancellationToken cancellationToken);

    Task<PaperOrderRecord?> FindArchivedOrderAsync(string accountId, string orderId, CancellationToken cancellationToken);

    Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Archived executions at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<Execution>> LoadArchivedExecutionsAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken);
}
