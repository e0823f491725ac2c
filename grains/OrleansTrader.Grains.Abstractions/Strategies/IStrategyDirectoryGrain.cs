using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The strategy ids of one account (key: account id), so an account's strategies can be listed without scanning storage.
/// The strategy grain adds its id when created and removes it when deleted (the gateway also adds it first, to refuse a
/// strategy beyond the bound before creating it); ids whose strategy does not exist are skipped by readers.
/// </summary>
public interface IStrategyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an id; false when the account already has its maximum (100) of other ids.</summary>
    Task<bool> AddAsync(string strategyId);

    Task RemoveAsync(string strategyId);

    [ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();
}
