using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The list of open accounts (key: <see cref="Default"/>), for GET /api/accounts. An account enters it when it opens and,
/// if it is missing (opened by an older version, or a failed write), whenever it activates.
/// </summary>
public interface IAccountDirectoryGrain : IGrainWithStringKey
{
    public const string Default = "accounts";

    /// <summary>Adds or updates an account's entry; false when the directory is full (the account itself is unaffected).</summary>
    Task<bool> AddAsync(AccountListing listing);

    /// <summary>Up to <paramref name="limit"/> entries in account id order, after <paramref name="afterAccountId"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<AccountListing>> ListAsync(string? afterAccountId, int limit);

    /// <summary>The entries of these accounts that exist, in account id order.</summary>
    [ReadOnly]
    Task<IReadOnlyList<AccountListing>> FindAsync(IReadOnlyList<string> accountIds);
}

/// <summary>What the account list shows of an account; its figures are at GET /api/accounts/{id}.</summary>
public sealed record AccountListing(string AccountId, string Name, string Currency, string Broker, DateTimeOffset OpenedAt);
