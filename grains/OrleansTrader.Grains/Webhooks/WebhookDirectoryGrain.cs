using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>One account's webhook ids, persisted before a change is acknowledged and bounded per account.</summary>
internal sealed class WebhookDirectoryGrain(
    [PersistentState("webhook-directory")] IPersistentState<WebhookDirectoryState> state) : Grain, IWebhookDirectoryGrain
{
    internal const int MaxWebhooks = 10;

    public async Task<bool> AddAsync(string webhookId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(webhookId);
        var ids = state.State.WebhookIds;
        if (ids.Contains(webhookId))
        {
            return true;
        }

        if (ids.Count >= MaxWebhooks)
        {
            return false;
        }

        ids.Add(webhookId);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not taken: an id kept only in memory would hold one of the account's places until deactivation.
            ids.Remove(webhookId);
            throw;
        }

        return true;
    }

    public async Task RemoveAsync(string webhookId)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        var ids = state.State.WebhookIds;
        var at = ids.IndexOf(webhookId);
        if (at < 0)
        {
            return;
        }

        ids.RemoveAt(at);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Still stored, so still listed (a retry removes it).
            ids.Insert(at, webhookId);
            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.WebhookIds]);
}
