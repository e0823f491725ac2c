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
        await state.WriteStateAsync();
        return true;
    }

    public async Task RemoveAsync(string webhookId)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        if (state.State.WebhookIds.Remove(webhookId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.WebhookIds]);
}
