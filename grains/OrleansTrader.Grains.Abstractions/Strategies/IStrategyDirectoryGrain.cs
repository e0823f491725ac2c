using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The strategy ids of one account (key: account id), so an account's strategies can be listed without scanning storage.
/// Whoever creates a strategy adds its id first and removes it after deleting the strategy; ids whose strategy does not
/// exist are skipped by readers.
/// </summary>
public interface IStrategyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an id; false when the account already has its maximum (100) of other ids.</summary>
    Task<bool> AddAsync(string strategyId);

    Task RemoveAsync(string strategyId);

    [ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();
}
