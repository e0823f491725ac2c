namespace OrleansTrader.Grains.Abstractions;

/// <summary>Webhook grain keys: "accountId/webhookId", as strategy keys are (<see cref="StrategyKey"/>).</summary>
public static class WebhookKey
{
    public static string Create(string accountId, string webhookId) => StrategyKey.Create(accountId, webhookId);

    /// <summary>Splits a key; false when it is not "accountId/webhookId".</summary>
    public static bool TryParse(string key, out string accountId, out string webhookId) => StrategyKey.TryParse(key, out accountId, out webhookId);
}
