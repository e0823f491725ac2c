using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The open accounts in account id order, persisted before a change is acknowledged and bounded (LESSONS 8).</summary>
internal sealed class AccountDirectoryGrain(
    [PersistentState("account-directory")] IPersistentState<AccountDirectoryState> state) : Grain, IAccountDirectoryGrain
{
    internal const int MaxAccounts = 100_000;

    private SortedDictionary<string, AccountListing> Accounts => state.State.Accounts;

    public async Task<bool> AddAsync(AccountListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        if (Accounts.TryGetValue(listing.AccountId, out var known) && known == listing)
        {
            return true;
        }

        if (known is null && Accounts.Count >= MaxAccounts)
        {
            return false;
        }

        Accounts[listing.AccountId] = listing;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: kept in memory, the account's next try (its next activation) found it listed and wrote nothing.
            if (known is null)
            {
                Accounts.Remove(listing.AccountId);
            }
            else
            {
                Accounts[listing.AccountId] = known;
            }

            throw;
        }

        return true;
    }

    public Task<IReadOnlyList<AccountListing>> ListAsync(string? afterAccountId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var page = Accounts.Values.Where(a => afterAccountId is null || string.CompareOrdinal(a.AccountId, afterAccountId) > 0).Take(limit);
        return Task.FromResult<IReadOnlyList<AccountListing>>([.. page]);
    }

    public Task<IReadOnlyList<AccountListing>> FindAsync(IReadOnlyList<string> accountIds)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        return Task.FromResult<IReadOnlyList<AccountListing>>(
            [.. accountIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(id => Accounts.GetValueOrDefault(id)).OfType<AccountListing>()]);
    }
}

internal sealed class AccountDirectoryState
{
    public SortedDictionary<string, AccountListing> Accounts { get; set; } = new(StringComparer.Ordinal);
}
