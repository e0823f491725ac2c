using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The webhook ids of one account (key: account id), so they can be listed without scanning storage. The webhook grain
/// adds its id before it is created and removes it when deleted; ids whose webhook does not exist are skipped by readers.
/// </summary>
public interface IWebhookDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an id; false when the account already has its maximum (10) of other ids.</summary>
    Task<bool> AddAsync(string webhookId);

    Task RemoveAsync(string webhookId);

    [ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();
}
